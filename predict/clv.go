package predict

import (
	"errors"
	"math"
)

// Customer is one customer's purchase history in the RFM form both models
// read: X repeat purchases (after the first), the time of the last one Tx
// and the customer's age T, both measured from the first purchase, and
// the mean value of the repeat purchases.
type Customer struct {
	X, Tx, T  float64
	MeanValue float64
}

// BGNBD holds the parameters of the beta-geometric/negative-binomial
// model: purchase rates are Gamma(R, Alpha) across customers, and after
// each purchase a customer drops out with a probability that is
// Beta(A, B) across customers. Time is in whatever unit Tx and T use.
type BGNBD struct {
	R, Alpha, A, B float64
}

// lbeta is the logarithm of the beta function.
func lbeta(a, b float64) float64 {
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	return la + lb - lab
}

// LogLikelihood is the log-likelihood of one customer (Fader, Hardie & Lee
// 2005, equation 6).
func (m BGNBD) LogLikelihood(c Customer) float64 {
	lgrx, _ := math.Lgamma(m.R + c.X)
	lgr, _ := math.Lgamma(m.R)
	a1 := lgrx - lgr + m.R*math.Log(m.Alpha)
	a2 := lbeta(m.A, m.B+c.X) - lbeta(m.A, m.B)
	a3 := -(m.R + c.X) * math.Log(m.Alpha+c.T)
	if c.X == 0 {
		return a1 + a2 + a3
	}
	a4 := math.Log(m.A) - math.Log(m.B+c.X-1) - (m.R+c.X)*math.Log(m.Alpha+c.Tx)
	// log(exp(a3) + exp(a4)) without overflow.
	hi, lo := math.Max(a3, a4), math.Min(a3, a4)
	return a1 + a2 + hi + math.Log1p(math.Exp(lo-hi))
}

// PAlive is the probability that the customer has not dropped out.
func (m BGNBD) PAlive(c Customer) float64 {
	if c.X == 0 {
		return 1
	}
	return 1 / (1 + m.A/(m.B+c.X-1)*math.Pow((m.Alpha+c.T)/(m.Alpha+c.Tx), m.R+c.X))
}

// ExpectedPurchases is the number of purchases the customer is expected to
// make in the next t time units (equation 10).
func (m BGNBD) ExpectedPurchases(c Customer, t float64) float64 {
	if t <= 0 {
		return 0
	}
	z := t / (m.Alpha + c.T + t)
	f := hyp2f1(m.R+c.X, m.B+c.X, m.A+m.B+c.X-1, z)
	num := (m.A + m.B + c.X - 1) / (m.A - 1) * (1 - math.Pow((m.Alpha+c.T)/(m.Alpha+c.T+t), m.R+c.X)*f)
	den := 1.0
	if c.X > 0 {
		den += m.A / (m.B + c.X - 1) * math.Pow((m.Alpha+c.T)/(m.Alpha+c.Tx), m.R+c.X)
	}
	return num / den
}

// hyp2f1 is the Gauss hypergeometric function ₂F₁(a, b; c; z) for
// 0 ≤ z < 1, by its power series.
func hyp2f1(a, b, c, z float64) float64 {
	term, sum := 1.0, 1.0
	for k := 0; k < 10000; k++ {
		kf := float64(k)
		term *= (a + kf) * (b + kf) / ((c + kf) * (kf + 1)) * z
		sum += term
		if math.Abs(term) < 1e-12*math.Abs(sum) {
			break
		}
	}
	return sum
}

// FitBGNBD fits the model to customers by maximum likelihood.
func FitBGNBD(cs []Customer) (BGNBD, error) {
	if len(cs) < 10 {
		return BGNBD{}, errors.New("predict: BG/NBD needs at least 10 customers")
	}
	var meanT, meanX float64
	for _, c := range cs {
		meanT += c.T
		meanX += c.X
	}
	meanT /= float64(len(cs))
	meanX /= float64(len(cs))
	nll := func(p []float64) float64 {
		m := BGNBD{R: math.Exp(p[0]), Alpha: math.Exp(p[1]), A: math.Exp(p[2]), B: math.Exp(p[3])}
		s := 0.0
		for _, c := range cs {
			s -= m.LogLikelihood(c)
		}
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return math.MaxFloat64
		}
		return s
	}
	// Start where purchases happen at the observed rate.
	alpha0 := math.Max(meanT/math.Max(meanX, 0.1), 1e-3)
	p := minimize(nll, []float64{0, math.Log(alpha0), 0, 0}, 1e-10, 4000)
	p = minimize(nll, p, 1e-12, 4000) // a restart escapes a collapsed simplex
	return BGNBD{R: math.Exp(p[0]), Alpha: math.Exp(p[1]), A: math.Exp(p[2]), B: math.Exp(p[3])}, nil
}

// GammaGamma holds the parameters of the spend model: a customer's
// purchase values are Gamma(P, ν) with ν ~ Gamma(Q, Gamma) across
// customers (Fader, Hardie & Lee 2005, "RFM and CLV").
type GammaGamma struct {
	P, Q, Gamma float64
}

// LogLikelihood is the log-likelihood of one customer with X ≥ 1 repeat
// purchases of mean value MeanValue.
func (m GammaGamma) LogLikelihood(c Customer) float64 {
	px := m.P * c.X
	lg1, _ := math.Lgamma(px + m.Q)
	lg2, _ := math.Lgamma(px)
	lg3, _ := math.Lgamma(m.Q)
	return lg1 - lg2 - lg3 + m.Q*math.Log(m.Gamma) + (px-1)*math.Log(c.MeanValue) + px*math.Log(c.X) - (px+m.Q)*math.Log(m.Gamma+c.X*c.MeanValue)
}

// ExpectedValue is the expected value of the customer's next purchase.
func (m GammaGamma) ExpectedValue(c Customer) float64 {
	if c.X == 0 || c.MeanValue <= 0 {
		return m.P * m.Gamma / (m.Q - 1) // the population mean
	}
	return m.P * (m.Gamma + c.X*c.MeanValue) / (m.P*c.X + m.Q - 1)
}

// FitGammaGamma fits the spend model to the customers with at least one
// repeat purchase of positive value.
func FitGammaGamma(cs []Customer) (GammaGamma, error) {
	var use []Customer
	mean := 0.0
	for _, c := range cs {
		if c.X >= 1 && c.MeanValue > 0 {
			use = append(use, c)
			mean += c.MeanValue
		}
	}
	if len(use) < 10 {
		return GammaGamma{}, errors.New("predict: Gamma-Gamma needs at least 10 repeat customers")
	}
	mean /= float64(len(use))
	nll := func(p []float64) float64 {
		m := GammaGamma{P: math.Exp(p[0]), Q: math.Exp(p[1]), Gamma: math.Exp(p[2])}
		s := 0.0
		for _, c := range use {
			s -= m.LogLikelihood(c)
		}
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return math.MaxFloat64
		}
		return s
	}
	p := minimize(nll, []float64{0, math.Log(3), math.Log(2 * mean)}, 1e-10, 4000)
	p = minimize(nll, p, 1e-12, 4000)
	m := GammaGamma{P: math.Exp(p[0]), Q: math.Exp(p[1]), Gamma: math.Exp(p[2])}
	if m.Q <= 1 {
		return m, errors.New("predict: Gamma-Gamma fit has no finite mean (q ≤ 1)")
	}
	return m, nil
}
