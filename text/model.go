package text

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/touchpoint-cx/touchpoint"
)

// Classes a sentiment model tells apart, in the order of its outputs.
const (
	ClassNegative = iota
	ClassNeutral
	ClassPositive
	numClasses
)

var classNames = [numClasses]string{touchpoint.SentimentNegative, touchpoint.SentimentNeutral, touchpoint.SentimentPositive}

// ClassName returns the sentiment name of a class.
func ClassName(c int) string { return classNames[c] }

// ModelInfo describes a model: what it reads and how it was trained. It is
// stored at the head of the model file.
type ModelInfo struct {
	// Format is the file format version.
	Format   int           `json:"format"`
	Language string        `json:"language"`
	Features FeatureConfig `json:"features"`
	Training TrainingInfo  `json:"training"`
}

// TrainingInfo records the data a model was trained on and how well it did
// on the part of that data held out from training.
type TrainingInfo struct {
	// Data names the training file (its base name only).
	Data string `json:"data,omitempty"`
	// Examples counts the training examples by label, held-out part excluded.
	Examples map[string]int `json:"examples"`
	// Lambda is the L2 penalty chosen on a validation part of the training data.
	Lambda float64 `json:"lambda"`
	// HeldOut is the model's accuracy on the held-out part of Data.
	HeldOut *Metrics `json:"held_out,omitempty"`
}

// Model is a trained sentiment classifier: multinomial logistic regression
// over hashed features, with weights quantised to one byte each.
type Model struct {
	Info  ModelInfo
	bias  [numClasses]float32
	scale float32
	// w holds numClasses weights per bucket, dense: lookups are one index.
	w []int8
	// nonzero counts buckets with a weight, for the file and for stats.
	nonzero int
}

// Prediction is a model's reading of one text.
type Prediction struct {
	// Probs holds the probability of each class (ClassNegative…).
	Probs [numClasses]float64
}

// Class returns the most probable class.
func (p Prediction) Class() int {
	best := 0
	for c := 1; c < numClasses; c++ {
		if p.Probs[c] > p.Probs[best] {
			best = c
		}
	}
	return best
}

// Polarity returns positive or negative, whichever is more probable,
// ignoring neutral.
func (p Prediction) Polarity() int {
	if p.Probs[ClassPositive] >= p.Probs[ClassNegative] {
		return ClassPositive
	}
	return ClassNegative
}

// Score runs from -1 (surely negative) to 1 (surely positive): the
// probability of positive minus that of negative.
func (p Prediction) Score() float64 { return p.Probs[ClassPositive] - p.Probs[ClassNegative] }

// Predict reads one text. The text is normalised here.
func (m *Model) Predict(s string) Prediction {
	return m.predictVector(m.Info.Features.features(m.Info.Language, Normalize(m.Info.Language, s)))
}

func (m *Model) predictVector(v vector) Prediction {
	var z [numClasses]float64
	for c := range z {
		z[c] = float64(m.bias[c])
	}
	for i, b := range v.idx {
		x := float64(v.val[i]) * float64(m.scale)
		row := m.w[int(b)*numClasses : int(b)*numClasses+numClasses]
		for c := range z {
			z[c] += x * float64(row[c])
		}
	}
	return Prediction{Probs: softmax(z)}
}

func softmax(z [numClasses]float64) [numClasses]float64 {
	mx := z[0]
	for _, v := range z[1:] {
		mx = math.Max(mx, v)
	}
	var sum float64
	for c := range z {
		z[c] = math.Exp(z[c] - mx)
		sum += z[c]
	}
	for c := range z {
		z[c] /= sum
	}
	return z
}

// Buckets returns how many feature buckets carry a weight.
func (m *Model) Buckets() int { return m.nonzero }

// The model file: a magic line, then a gzip stream holding the JSON
// ModelInfo (length-prefixed), the biases and scale as float32, the count
// of weighted buckets, and for each bucket the gap from the previous bucket
// (uvarint) and its three int8 weights.
var magic = []byte("touchpoint-text-model\n")

const (
	fileFormat = 1
	// maxModelBytes bounds what a model file may expand to, so that an
	// uploaded file cannot exhaust memory.
	maxModelBytes = 64 << 20
)

// WriteTo writes the model in its file format.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	if _, err := cw.Write(magic); err != nil {
		return cw.n, err
	}
	zw, _ := gzip.NewWriterLevel(cw, gzip.BestCompression)
	bw := bufio.NewWriter(zw)
	info := m.Info
	info.Format = fileFormat
	meta, err := json.Marshal(info)
	if err != nil {
		return cw.n, err
	}
	var buf [binary.MaxVarintLen64]byte
	put := func(x uint64) { bw.Write(buf[:binary.PutUvarint(buf[:], x)]) }
	put(uint64(len(meta)))
	bw.Write(meta)
	for _, b := range m.bias {
		binary.Write(bw, binary.LittleEndian, b)
	}
	binary.Write(bw, binary.LittleEndian, m.scale)
	put(uint64(m.nonzero))
	prev := -1
	for b := 0; b < len(m.w)/numClasses; b++ {
		row := m.w[b*numClasses : b*numClasses+numClasses]
		if row[0] == 0 && row[1] == 0 && row[2] == 0 {
			continue
		}
		put(uint64(b - prev))
		prev = b
		bw.Write([]byte{byte(row[0]), byte(row[1]), byte(row[2])})
	}
	if err := bw.Flush(); err != nil {
		return cw.n, err
	}
	if err := zw.Close(); err != nil {
		return cw.n, err
	}
	return cw.n, nil
}

// Marshal returns the model file's bytes.
func (m *Model) Marshal() []byte {
	var b bytes.Buffer
	m.WriteTo(&b)
	return b.Bytes()
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ReadModel reads a model file. Returns EINVALID if it is not one.
func ReadModel(r io.Reader) (*Model, error) {
	head := make([]byte, len(magic))
	if _, err := io.ReadFull(r, head); err != nil || !bytes.Equal(head, magic) {
		return nil, errorf("not a Touchpoint text model file")
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, errorf("model file is damaged: %s", err.Error())
	}
	br := bufio.NewReader(io.LimitReader(zr, maxModelBytes))
	m, err := readModelBody(br)
	if err != nil {
		return nil, errorf("model file is damaged: %s", err.Error())
	}
	return m, nil
}

func readModelBody(br *bufio.Reader) (*Model, error) {
	n, err := binary.ReadUvarint(br)
	if err != nil {
		return nil, err
	}
	if n > 1<<20 {
		return nil, fmt.Errorf("header of %d bytes", n)
	}
	meta := make([]byte, n)
	if _, err := io.ReadFull(br, meta); err != nil {
		return nil, err
	}
	m := &Model{}
	if err := json.Unmarshal(meta, &m.Info); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if m.Info.Format != fileFormat {
		return nil, fmt.Errorf("format %d, this version reads %d", m.Info.Format, fileFormat)
	}
	if !Supported(m.Info.Language) {
		return nil, fmt.Errorf("language %q", m.Info.Language)
	}
	if err := m.Info.Features.validate(); err != nil {
		return nil, err
	}
	for c := range m.bias {
		if err := binary.Read(br, binary.LittleEndian, &m.bias[c]); err != nil {
			return nil, err
		}
	}
	if err := binary.Read(br, binary.LittleEndian, &m.scale); err != nil {
		return nil, err
	}
	for _, f := range append(m.bias[:], m.scale) {
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return nil, fmt.Errorf("weights not finite")
		}
	}
	buckets := 1 << m.Info.Features.Bits
	count, err := binary.ReadUvarint(br)
	if err != nil {
		return nil, err
	}
	if count > uint64(buckets) {
		return nil, fmt.Errorf("%d buckets of %d", count, buckets)
	}
	m.w = make([]int8, buckets*numClasses)
	m.nonzero = int(count)
	b := -1
	var row [numClasses]byte
	for i := uint64(0); i < count; i++ {
		gap, err := binary.ReadUvarint(br)
		if err != nil {
			return nil, err
		}
		if gap == 0 || gap > uint64(buckets) || b+int(gap) >= buckets {
			return nil, fmt.Errorf("bucket out of range")
		}
		b += int(gap)
		if _, err := io.ReadFull(br, row[:]); err != nil {
			return nil, err
		}
		for c := range row {
			m.w[b*numClasses+c] = int8(row[c])
		}
	}
	return m, nil
}

func errorf(format string, args ...any) error {
	return touchpoint.Errorf(touchpoint.EINVALID, format, args...)
}
