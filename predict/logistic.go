package predict

import (
	"errors"
	"math"
	"sort"
)

// LogisticModel is a fitted logistic regression:
// P(y=1) = σ(Intercept + Σ Coef[j]·x[j]).
type LogisticModel struct {
	Intercept float64
	Coef      []Coefficient
}

// Predict returns P(y=1) for one row.
func (m *LogisticModel) Predict(x []float64) float64 {
	z := m.Intercept
	for j, v := range x {
		z += m.Coef[j].Estimate * v
	}
	return sigmoid(z)
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// Logistic fits y ∈ {0,1} on x by Newton's method with penalty lambda on
// every coefficient but the intercept. Standard errors come from the
// inverse of the penalised Fisher information at the optimum.
func Logistic(x [][]float64, y []float64, lambda float64) (*LogisticModel, error) {
	n := len(x)
	if n == 0 || n != len(y) {
		return nil, errors.New("predict: logistic needs as many rows as labels, and at least one")
	}
	p := len(x[0]) + 1 // the intercept is column 0
	beta := make([]float64, p)
	var l [][]float64
	for iter := 0; iter < 50; iter++ {
		h := make([][]float64, p)
		for i := range h {
			h[i] = make([]float64, p)
		}
		g := make([]float64, p)
		row := make([]float64, p)
		row[0] = 1
		for i := range x {
			copy(row[1:], x[i])
			z := 0.0
			for j, v := range row {
				z += beta[j] * v
			}
			mu := sigmoid(z)
			w := mu * (1 - mu)
			r := y[i] - mu
			for j := 0; j < p; j++ {
				if row[j] == 0 {
					continue
				}
				g[j] += row[j] * r
				wj := w * row[j]
				for k := 0; k <= j; k++ {
					h[j][k] += wj * row[k]
				}
			}
		}
		for j := 0; j < p; j++ {
			for k := 0; k < j; k++ {
				h[k][j] = h[j][k]
			}
			if j > 0 {
				h[j][j] += lambda
				g[j] -= lambda * beta[j]
			}
			h[j][j] += 1e-9
		}
		var err error
		if l, err = cholesky(h); err != nil {
			return nil, err
		}
		step := solveCholesky(l, g)
		maxStep := 0.0
		for j := range beta {
			beta[j] += step[j]
			maxStep = math.Max(maxStep, math.Abs(step[j]))
		}
		if maxStep < 1e-8 {
			break
		}
	}
	diag := inverseDiagonal(l)
	m := &LogisticModel{Intercept: beta[0], Coef: make([]Coefficient, p-1)}
	for j := 1; j < p; j++ {
		m.Coef[j-1] = coefficient(beta[j], diag[j])
	}
	return m, nil
}

// AUC is the area under the ROC curve of scores against labels y ∈ {0,1}:
// the chance that a random positive scores above a random negative (ties
// count a half). It is 0.5 when either class is missing.
func AUC(scores, y []float64) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	// Mann-Whitney U from average ranks.
	var pos, neg, rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks are 1-based
		for k := i; k < j; k++ {
			if y[idx[k]] == 1 {
				rankSum += avg
			}
		}
		i = j
	}
	for _, v := range y {
		if v == 1 {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 || neg == 0 {
		return 0.5
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}
