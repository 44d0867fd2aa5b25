package predict_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/touchpoint-cx/touchpoint/predict"
)

func TestRidge(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var x [][]float64
	var y []float64
	for i := 0; i < 2000; i++ {
		a, b := rng.NormFloat64(), float64(rng.IntN(2))
		x = append(x, []float64{a, b})
		y = append(y, 2+3*a-1.5*b+rng.NormFloat64())
	}
	m, err := predict.Ridge(x, y, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	for j, want := range []float64{3, -1.5} {
		c := m.Coef[j]
		if c.Low > want || c.High < want || c.High-c.Low > 0.3 {
			t.Errorf("coefficient %d = %.3f [%.3f, %.3f], want about %v", j, c.Estimate, c.Low, c.High, want)
		}
	}
	if math.Abs(m.Intercept-2) > 0.15 || m.R2 < 0.85 {
		t.Errorf("intercept %.3f, R² %.3f", m.Intercept, m.R2)
	}
}

func TestLogisticAndAUC(t *testing.T) {
	if got := predict.AUC([]float64{0.1, 0.4, 0.35, 0.8}, []float64{0, 0, 1, 1}); got != 0.75 {
		t.Errorf("AUC = %v, want 0.75", got)
	}
	if got := predict.AUC([]float64{0.5, 0.5, 0.5}, []float64{0, 1, 1}); got != 0.5 {
		t.Errorf("AUC of ties = %v, want 0.5", got)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	gen := func(n int) ([][]float64, []float64) {
		var x [][]float64
		var y []float64
		for i := 0; i < n; i++ {
			a, b := rng.NormFloat64(), rng.NormFloat64()
			p := 1 / (1 + math.Exp(-(-0.5 + 1.2*a - 0.8*b)))
			x = append(x, []float64{a, b})
			if rng.Float64() < p {
				y = append(y, 1)
			} else {
				y = append(y, 0)
			}
		}
		return x, y
	}
	x, y := gen(4000)
	m, err := predict.Logistic(x, y, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	for j, want := range []float64{1.2, -0.8} {
		if c := m.Coef[j]; c.Low > want || c.High < want {
			t.Errorf("coefficient %d = %.3f [%.3f, %.3f], want %v inside", j, c.Estimate, c.Low, c.High, want)
		}
	}
	tx, ty := gen(2000)
	var scores []float64
	for _, row := range tx {
		scores = append(scores, m.Predict(row))
	}
	// The true model's AUC on such data is about 0.8.
	if auc := predict.AUC(scores, ty); auc < 0.75 || auc > 0.85 {
		t.Errorf("held-out AUC %.3f", auc)
	}
}

// gamma draws from Gamma(shape, rate) (Marsaglia & Tsang).
func gamma(rng *rand.Rand, shape, rate float64) float64 {
	if shape < 1 {
		return gamma(rng, shape+1, rate) * math.Pow(rng.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v / rate
		}
	}
}

func TestBGNBDPublishedExample(t *testing.T) {
	// The CDNOW parameters of Fader, Hardie & Lee (2005) and their example
	// customer: 2 repeat purchases, the last in week 30.43, observed for
	// 38.86 weeks, expects 1.226 purchases in the next 39 weeks.
	m := predict.BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	got := m.ExpectedPurchases(predict.Customer{X: 2, Tx: 30.43, T: 38.86}, 39)
	if math.Abs(got-1.226) > 0.005 {
		t.Errorf("expected purchases %.4f, want 1.226", got)
	}
	if p := m.PAlive(predict.Customer{X: 0, T: 10}); p != 1 {
		t.Errorf("P(alive) without repeat purchases = %v, want 1", p)
	}
}

// TestBGNBDRecovers simulates customers from known parameters, fits the
// model on a calibration period, and checks its forecast of the holdout
// period against what the simulated customers really did.
func TestBGNBDRecovers(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	truth := predict.BGNBD{R: 0.5, Alpha: 8, A: 0.8, B: 2.5}
	const calib, holdout = 52.0, 26.0
	var cs []predict.Customer
	var actual []float64
	for i := 0; i < 3000; i++ {
		lambda := gamma(rng, truth.R, truth.Alpha)
		pa, pb := gamma(rng, truth.A, 1), gamma(rng, truth.B, 1)
		p := pa / (pa + pb)
		T := calib * (0.3 + 0.7*rng.Float64()) // customers joined at different times
		var c predict.Customer
		c.T = T
		tm, alive, later := 0.0, true, 0.0
		for alive {
			tm += rng.ExpFloat64() / lambda
			if tm > T+holdout {
				break
			}
			if tm <= T {
				c.X++
				c.Tx = tm
			} else {
				later++
			}
			alive = rng.Float64() >= p
		}
		cs = append(cs, c)
		actual = append(actual, later)
	}
	fit, err := predict.FitBGNBD(cs)
	if err != nil {
		t.Fatal(err)
	}
	var want, got float64
	for i, c := range cs {
		want += actual[i]
		got += fit.ExpectedPurchases(c, holdout)
	}
	if math.Abs(got-want)/want > 0.1 {
		t.Errorf("forecast %.0f holdout purchases, customers made %.0f (fit %+v)", got, want, fit)
	}
	if math.Abs(fit.R-truth.R)/truth.R > 0.35 || math.Abs(fit.A/(fit.A+fit.B)-truth.A/(truth.A+truth.B)) > 0.1 {
		t.Errorf("fit %+v far from %+v", fit, truth)
	}
}

func TestGammaGammaRecovers(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	truth := predict.GammaGamma{P: 6, Q: 4, Gamma: 15}
	var cs []predict.Customer
	var nus []float64
	for i := 0; i < 3000; i++ {
		nu := gamma(rng, truth.Q, truth.Gamma)
		x := 1 + rng.IntN(6)
		sum := 0.0
		for k := 0; k < x; k++ {
			sum += gamma(rng, truth.P, nu)
		}
		cs = append(cs, predict.Customer{X: float64(x), MeanValue: sum / float64(x)})
		nus = append(nus, nu)
	}
	fit, err := predict.FitGammaGamma(cs)
	if err != nil {
		t.Fatal(err)
	}
	// The expected spend should track each customer's true mean p/ν.
	var errSum, base float64
	for i, c := range cs {
		trueMean := truth.P / nus[i]
		errSum += math.Abs(fit.ExpectedValue(c) - trueMean)
		base += math.Abs(c.MeanValue - trueMean)
	}
	if errSum >= base {
		t.Errorf("model error %.1f not below the raw means' %.1f (fit %+v)", errSum, base, fit)
	}
	popMean := truth.P * truth.Gamma / (truth.Q - 1)
	if got := fit.P * fit.Gamma / (fit.Q - 1); math.Abs(got-popMean)/popMean > 0.1 {
		t.Errorf("population mean spend %.2f, want about %.2f", got, popMean)
	}
}
