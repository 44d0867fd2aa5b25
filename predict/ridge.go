package predict

import (
	"errors"
	"math"
)

// z95 is the two-sided 95% quantile of the standard normal distribution.
const z95 = 1.959963984540054

// Coefficient is one fitted coefficient with its standard error and 95%
// confidence interval.
type Coefficient struct {
	Estimate float64
	StdErr   float64
	Low      float64
	High     float64
}

// Significant reports whether the interval excludes zero.
func (c Coefficient) Significant() bool { return c.Low > 0 || c.High < 0 }

func coefficient(est, variance float64) Coefficient {
	se := math.Sqrt(math.Max(variance, 0))
	return Coefficient{Estimate: est, StdErr: se, Low: est - z95*se, High: est + z95*se}
}

// LinearModel is a fitted linear regression y ≈ Intercept + Σ Coef[j]·x[j].
type LinearModel struct {
	Intercept float64
	Coef      []Coefficient
	// R2 is the share of y's variance the model explains.
	R2 float64
}

// Ridge fits y on x with penalty lambda on every coefficient but the
// intercept. Standard errors come from σ²·(XᵀX + λI)⁻¹, the usual
// approximation for a lightly penalised fit.
func Ridge(x [][]float64, y []float64, lambda float64) (*LinearModel, error) {
	n := len(x)
	if n == 0 || n != len(y) {
		return nil, errors.New("predict: ridge needs as many rows as answers, and at least one")
	}
	p := len(x[0])
	// Centre y and x so the intercept is not penalised.
	my := 0.0
	for _, v := range y {
		my += v
	}
	my /= float64(n)
	mx := make([]float64, p)
	for _, row := range x {
		for j, v := range row {
			mx[j] += v
		}
	}
	for j := range mx {
		mx[j] /= float64(n)
	}
	a := make([][]float64, p)
	for i := range a {
		a[i] = make([]float64, p)
	}
	b := make([]float64, p)
	xc := make([]float64, p)
	for i, row := range x {
		for j := range row {
			xc[j] = row[j] - mx[j]
		}
		yc := y[i] - my
		for j := 0; j < p; j++ {
			if xc[j] == 0 {
				continue
			}
			b[j] += xc[j] * yc
			for k := 0; k <= j; k++ {
				a[j][k] += xc[j] * xc[k]
			}
		}
	}
	for j := 0; j < p; j++ {
		for k := 0; k < j; k++ {
			a[k][j] = a[j][k]
		}
		a[j][j] += lambda
	}
	l, err := cholesky(a)
	if err != nil {
		return nil, err
	}
	beta := solveCholesky(l, b)
	m := &LinearModel{Intercept: my}
	for j := range beta {
		m.Intercept -= beta[j] * mx[j]
	}
	var rss, tss float64
	for i, row := range x {
		pred := m.Intercept
		for j, v := range row {
			pred += beta[j] * v
		}
		rss += (y[i] - pred) * (y[i] - pred)
		tss += (y[i] - my) * (y[i] - my)
	}
	dof := float64(n - p - 1)
	if dof < 1 {
		dof = 1
	}
	sigma2 := rss / dof
	diag := inverseDiagonal(l)
	m.Coef = make([]Coefficient, p)
	for j := range beta {
		m.Coef[j] = coefficient(beta[j], sigma2*diag[j])
	}
	if tss > 0 {
		m.R2 = 1 - rss/tss
	}
	return m, nil
}
