package text

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
)

// SplitSeed fixes which examples are held out from training. Changing it
// changes every reported accuracy, so it is a constant.
const SplitSeed = "touchpoint-2026"

// HeldOutFraction is the share of a labelled file kept out of training to
// measure the model on.
const HeldOutFraction = 0.2

// HeldOut reports whether an example belongs to the held-out part. The
// choice hashes the seed and the text, so it does not depend on the order
// of the file, a text is always on the same side, and adding examples to a
// file never moves old ones across.
func HeldOut(text string) bool { return splitHash(SplitSeed, text) < HeldOutFraction }

func splitHash(seed, text string) float64 {
	h := fnv.New64a()
	h.Write([]byte(seed))
	h.Write([]byte{0})
	h.Write([]byte(text))
	return float64(h.Sum64()>>11) / (1 << 53)
}

// Split divides examples into the training part and the held-out part.
func Split(examples []Example) (train, heldOut []Example) {
	for _, e := range examples {
		if HeldOut(e.Text) {
			heldOut = append(heldOut, e)
		} else {
			train = append(train, e)
		}
	}
	return train, heldOut
}

// TrainOptions tune Train. The zero value trains with the language's
// default features and picks the L2 penalty on a validation part.
type TrainOptions struct {
	Language string
	// Features, if set, replaces DefaultFeatures(Language).
	Features *FeatureConfig
	// Lambdas are the L2 penalties tried; the one with the lowest loss on
	// a validation tenth of the training data is used.
	Lambdas []float64
	// MaxIter bounds the optimiser's iterations.
	MaxIter int
	// Data names the training file in the model's description.
	Data string
	// Logf, if set, receives progress lines.
	Logf func(format string, args ...any)
}

// Train fits a sentiment model on examples, all of which are used; split
// off a held-out part first (Split) to measure it. Returns EINVALID when the
// examples cannot make a model (too few, or missing the positive or the
// negative class).
func Train(ctx context.Context, examples []Example, opt TrainOptions) (*Model, error) {
	if !Supported(opt.Language) {
		return nil, errorf("language: unsupported language %q (want en, vi, th or fa)", opt.Language)
	}
	cfg := DefaultFeatures(opt.Language)
	if opt.Features != nil {
		cfg = *opt.Features
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	var counts [numClasses]int
	for _, e := range examples {
		counts[e.Class]++
	}
	if len(examples) < 10 || counts[ClassPositive] == 0 || counts[ClassNegative] == 0 {
		return nil, errorf("need at least 10 examples with both pos and neg among them, got %d (pos %d, neu %d, neg %d)",
			len(examples), counts[ClassPositive], counts[ClassNeutral], counts[ClassNegative])
	}
	if opt.MaxIter == 0 {
		opt.MaxIter = 300
	}
	if len(opt.Lambdas) == 0 {
		opt.Lambdas = []float64{3e-4, 1e-4, 3e-5, 1e-5, 3e-6}
	}
	logf := opt.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}

	// Many Vietnamese customers type without diacritics ("giao hang
	// nhanh"), so a Vietnamese model also learns every example with its
	// diacritics removed. A copy stays on the validation side of its
	// original.
	rows := examples
	origin := make([]int, len(examples)) // the example each row comes from
	for i := range origin {
		origin[i] = i
	}
	if opt.Language == LangVietnamese {
		rows = slices.Clone(examples)
		for i, e := range examples {
			norm := Normalize(LangVietnamese, e.Text)
			if bare := StripVietnamese(norm); bare != norm {
				rows = append(rows, Example{Class: e.Class, Text: bare, Line: e.Line})
				origin = append(origin, i)
			}
		}
	}
	ds := newDataset(cfg, opt.Language, rows)
	lambda := opt.Lambdas[0]
	var start []float64 // where the final fit starts
	if len(opt.Lambdas) > 1 && len(examples) >= 200 {
		// Pick the penalty on a validation tenth, chosen by a hash of the
		// text with another seed than the held-out split.
		// Validation reads the examples as written; their copies
		// without diacritics are left out of fitting with them.
		var fit, val []int
		for i := range rows {
			switch {
			case splitHash(SplitSeed+"/validation", examples[origin[i]].Text) >= 0.1:
				fit = append(fit, i)
			case i < len(examples):
				val = append(val, i)
			}
		}
		// The penalty is chosen for accuracy, the figure the model is
		// judged by: the mean of its positive-vs-negative and three-class
		// accuracy on the validation part, the lower loss breaking ties.
		best, bestLoss := -1.0, math.Inf(1)
		// From the strongest penalty down, each fit starting where the
		// last one ended: neighbouring penalties have close optima, so
		// this costs a fraction of fitting each from zero.
		lambdas := slices.Clone(opt.Lambdas)
		slices.SortFunc(lambdas, func(a, b float64) int { return cmpFloat(b, a) })
		var w []float64
		for _, l := range lambdas {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			w = ds.fit(ctx, fit, l, opt.MaxIter, w)
			loss, acc, polar := ds.evaluate(w, val)
			score := (acc + polar) / 2
			logf("  lambda %g: validation loss %.4f, 3-class %.3f, pos-vs-neg %.3f", l, loss, acc, polar)
			if score > best || score == best && loss < bestLoss {
				best, bestLoss, lambda, start = score, loss, l, slices.Clone(w)
			}
		}
	}
	all := make([]int, len(rows))
	for i := range all {
		all[i] = i
	}
	w := ds.fit(ctx, all, lambda, opt.MaxIter, start)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m := ds.model(w)
	m.Info.Training = TrainingInfo{
		Data:   opt.Data,
		Lambda: lambda,
		Examples: map[string]int{
			"pos": counts[ClassPositive], "neu": counts[ClassNeutral], "neg": counts[ClassNegative],
		},
	}
	logf("  lambda %g: %d buckets kept", lambda, m.nonzero)
	return m, nil
}

// dataset holds examples as feature vectors over the buckets they use,
// renumbered densely so that the optimiser only sees weights that matter.
type dataset struct {
	cfg     FeatureConfig
	lang    string
	buckets []uint32 // dense index → hash bucket
	rows    [][]int32
	vals    [][]float32
	labels  []int
}

func newDataset(cfg FeatureConfig, lang string, examples []Example) *dataset {
	ds := &dataset{cfg: cfg, lang: lang}
	dense := map[uint32]int32{}
	for _, e := range examples {
		v := cfg.features(lang, Normalize(lang, e.Text))
		row := make([]int32, len(v.idx))
		for i, b := range v.idx {
			d, ok := dense[b]
			if !ok {
				d = int32(len(ds.buckets))
				dense[b] = d
				ds.buckets = append(ds.buckets, b)
			}
			row[i] = d
		}
		ds.rows = append(ds.rows, row)
		ds.vals = append(ds.vals, v.val)
		ds.labels = append(ds.labels, e.Class)
	}
	return ds
}

// Weights are laid out as numClasses biases, then numClasses weights per
// dense feature.
func (ds *dataset) dim() int { return numClasses + len(ds.buckets)*numClasses }

func (ds *dataset) scores(w []float64, i int) [numClasses]float64 {
	var z [numClasses]float64
	copy(z[:], w[:numClasses])
	for k, f := range ds.rows[i] {
		x := float64(ds.vals[i][k])
		base := numClasses + int(f)*numClasses
		for c := range z {
			z[c] += x * w[base+c]
		}
	}
	return z
}

// objective is the mean cross-entropy over rows plus lambda/2 ||w||²
// (biases unpenalised); it writes the gradient into g. Rows are shared
// among the machine's cores, each with its own gradient.
func (ds *dataset) objective(w, g []float64, rows []int, lambda float64) float64 {
	// The rows are cut into a fixed number of chunks whatever the number
	// of cores, and the chunks' sums are added in order, so that training
	// gives the same model, bit for bit, on every machine.
	chunks := 1
	if len(rows) >= 4000 {
		chunks = 4
	}
	workers := runtime.GOMAXPROCS(0)
	grads := make([][]float64, chunks)
	losses := make([]float64, chunks)
	inv := 1 / float64(len(rows))
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for k := range chunks {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			gk := g
			if k > 0 {
				gk = make([]float64, len(g))
			} else {
				clear(gk)
			}
			grads[k] = gk
			lo, hi := k*len(rows)/chunks, (k+1)*len(rows)/chunks
			for _, i := range rows[lo:hi] {
				p := softmax(ds.scores(w, i))
				y := ds.labels[i]
				losses[k] -= math.Log(math.Max(p[y], 1e-300))
				p[y] -= 1
				for c := range p {
					gk[c] += p[c] * inv
				}
				for j, f := range ds.rows[i] {
					x := float64(ds.vals[i][j]) * inv
					base := numClasses + int(f)*numClasses
					for c := range p {
						gk[base+c] += x * p[c]
					}
				}
			}
		}()
	}
	wg.Wait()
	var loss float64
	for k := range chunks {
		loss += losses[k]
		if k > 0 {
			axpy(1, grads[k], g)
		}
	}
	loss *= inv
	for j := numClasses; j < len(w); j++ {
		loss += 0.5 * lambda * w[j] * w[j]
		g[j] += lambda * w[j]
	}
	return loss
}

// fit minimises the objective over rows, starting from init if given.
func (ds *dataset) fit(ctx context.Context, rows []int, lambda float64, maxIter int, init []float64) []float64 {
	w := make([]float64, ds.dim())
	copy(w, init)
	lbfgs(ctx, w, func(x, g []float64) float64 { return ds.objective(x, g, rows, lambda) }, maxIter)
	return w
}

// evaluate returns the mean cross-entropy, the three-class accuracy and
// the positive-vs-negative accuracy on rows.
func (ds *dataset) evaluate(w []float64, rows []int) (loss, acc, polar float64) {
	var right, polarN, polarRight int
	for _, i := range rows {
		p := Prediction{Probs: softmax(ds.scores(w, i))}
		loss -= math.Log(math.Max(p.Probs[ds.labels[i]], 1e-300))
		if p.Class() == ds.labels[i] {
			right++
		}
		if ds.labels[i] != ClassNeutral {
			polarN++
			if p.Polarity() == ds.labels[i] {
				polarRight++
			}
		}
	}
	n := float64(max(len(rows), 1))
	return loss / n, float64(right) / n, float64(polarRight) / float64(max(polarN, 1))
}

// model turns fitted weights into a compact Model. Adding the same number
// to a feature's weights for every class changes no probability, so each
// feature's weights are centred first; then all weights are quantised to
// int8 with one scale, which drops the weights too small to matter.
func (ds *dataset) model(w []float64) *Model {
	m := &Model{Info: ModelInfo{Format: fileFormat, Language: ds.lang, Features: ds.cfg}}
	for c := range m.bias {
		m.bias[c] = float32(w[c])
	}
	feats := w[numClasses:]
	for f := 0; f < len(ds.buckets); f++ {
		row := feats[f*numClasses : f*numClasses+numClasses]
		mean := (row[0] + row[1] + row[2]) / numClasses
		for c := range row {
			row[c] -= mean
		}
	}
	// The scale maps the 99.99th percentile of |w| to 127; the few larger
	// weights are clipped.
	abs := make([]float64, len(feats))
	for i, x := range feats {
		abs[i] = math.Abs(x)
	}
	sort.Float64s(abs)
	top := 0.0
	if len(abs) > 0 {
		top = abs[min(len(abs)-1, int(float64(len(abs))*0.9999))]
	}
	if top == 0 {
		top = 1
	}
	m.scale = float32(top / 127)
	m.w = make([]int8, (1<<ds.cfg.Bits)*numClasses)
	// Several dense features never share a bucket (each is one bucket), so
	// each row is written once.
	order := make([]int, len(ds.buckets))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return int(ds.buckets[a]) - int(ds.buckets[b]) })
	for _, f := range order {
		b := int(ds.buckets[f])
		nz := false
		for c := 0; c < numClasses; c++ {
			q := math.Round(feats[f*numClasses+c] / float64(m.scale))
			q = math.Max(-127, math.Min(127, q))
			m.w[b*numClasses+c] = int8(q)
			nz = nz || q != 0
		}
		if nz {
			m.nonzero++
		}
	}
	return m
}

// lbfgs minimises f from x in place with limited-memory BFGS and a
// backtracking line search. f returns the value and writes the gradient.
func lbfgs(ctx context.Context, x []float64, f func(x, g []float64) float64, maxIter int) {
	const hist = 7
	n := len(x)
	g := make([]float64, n)
	fx := f(x, g)
	var s, y [][]float64
	var rho []float64
	d := make([]float64, n)
	xNew := make([]float64, n)
	gNew := make([]float64, n)
	alpha := make([]float64, hist)
	for iter := 0; iter < maxIter; iter++ {
		if ctx.Err() != nil {
			return
		}
		// Two-loop recursion: d = -H g.
		for i := range d {
			d[i] = -g[i]
		}
		for k := len(s) - 1; k >= 0; k-- {
			alpha[k] = rho[k] * dot(s[k], d)
			axpy(-alpha[k], y[k], d)
		}
		if len(s) > 0 {
			k := len(s) - 1
			scal(dot(s[k], y[k])/dot(y[k], y[k]), d)
		} else {
			scal(1/math.Max(norm2(g), 1e-12), d)
		}
		for k := 0; k < len(s); k++ {
			beta := rho[k] * dot(y[k], d)
			axpy(alpha[k]-beta, s[k], d)
		}
		gd := dot(g, d)
		if gd >= 0 {
			// Not a descent direction: restart from steepest descent.
			s, y, rho = nil, nil, nil
			continue
		}
		step := 1.0
		var fNew float64
		ok := false
		for ls := 0; ls < 30; ls++ {
			for i := range x {
				xNew[i] = x[i] + step*d[i]
			}
			fNew = f(xNew, gNew)
			if fNew <= fx+1e-4*step*gd {
				ok = true
				break
			}
			step *= 0.5
		}
		if !ok {
			return
		}
		sk := make([]float64, n)
		yk := make([]float64, n)
		for i := range x {
			sk[i] = xNew[i] - x[i]
			yk[i] = gNew[i] - g[i]
		}
		copy(x, xNew)
		copy(g, gNew)
		improvement := fx - fNew
		fx = fNew
		if sy := dot(sk, yk); sy > 1e-12 {
			if len(s) == hist {
				s, y, rho = s[1:], y[1:], rho[1:]
			}
			s, y, rho = append(s, sk), append(y, yk), append(rho, 1/sy)
		}
		if improvement < 1e-7*math.Max(1, math.Abs(fx)) || norm2(g) < 1e-6 {
			return
		}
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func axpy(a float64, x, y []float64) {
	for i := range x {
		y[i] += a * x[i]
	}
}

func scal(a float64, x []float64) {
	for i := range x {
		x[i] *= a
	}
}

func norm2(x []float64) float64 { return math.Sqrt(dot(x, x)) }

// Metrics is how a model did on labelled examples.
type Metrics struct {
	// Examples counts every example, Accuracy is three-class accuracy
	// (positive, neutral, negative) over them.
	Examples int     `json:"examples"`
	Accuracy float64 `json:"accuracy"`
	// PolarExamples counts the examples labelled positive or negative;
	// PolarAccuracy is how often the model prefers the right one of the
	// two (neutral set aside), the figure usually quoted as
	// "positive-vs-negative accuracy".
	PolarExamples int     `json:"polar_examples"`
	PolarAccuracy float64 `json:"polar_accuracy"`
	// MacroF1 averages the F1 of the three classes.
	MacroF1 float64 `json:"macro_f1"`
}

func (m Metrics) String() string {
	return fmt.Sprintf("pos-vs-neg %.1f%% (%d), 3-class %.1f%% (%d), macro-F1 %.3f",
		100*m.PolarAccuracy, m.PolarExamples, 100*m.Accuracy, m.Examples, m.MacroF1)
}

// Classifier is anything that reads a text into a Prediction: a Model, or
// a baseline being compared with one.
type Classifier interface {
	Predict(text string) Prediction
}

// Evaluate measures a classifier on labelled examples.
func Evaluate(c Classifier, examples []Example) Metrics {
	var m Metrics
	var tp, fp, fn [numClasses]int
	var right, polarRight int
	for _, e := range examples {
		p := c.Predict(e.Text)
		got := p.Class()
		if got == e.Class {
			right++
			tp[got]++
		} else {
			fp[got]++
			fn[e.Class]++
		}
		if e.Class != ClassNeutral {
			m.PolarExamples++
			if p.Polarity() == e.Class {
				polarRight++
			}
		}
	}
	m.Examples = len(examples)
	if m.Examples > 0 {
		m.Accuracy = float64(right) / float64(m.Examples)
	}
	if m.PolarExamples > 0 {
		m.PolarAccuracy = float64(polarRight) / float64(m.PolarExamples)
	}
	for c := 0; c < numClasses; c++ {
		if d := 2*tp[c] + fp[c] + fn[c]; d > 0 {
			m.MacroF1 += float64(2*tp[c]) / float64(d) / numClasses
		}
	}
	return m
}

// TrainHeldOut holds out the held-out part of examples (Split), trains on
// the rest and measures the model on the held-out part; the measure is kept
// in the model's training info. It is how every shipped model is made.
func TrainHeldOut(ctx context.Context, examples []Example, opt TrainOptions) (*Model, Metrics, error) {
	train, held := Split(examples)
	m, err := Train(ctx, train, opt)
	if err != nil {
		return nil, Metrics{}, err
	}
	metrics := Evaluate(m, held)
	m.Info.Training.HeldOut = &metrics
	return m, metrics, nil
}
