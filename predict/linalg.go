package predict

import (
	"errors"
	"math"
)

// errSingular is returned when a system has no unique solution.
var errSingular = errors.New("predict: matrix is singular")

// cholesky factors a symmetric positive-definite matrix a = L·Lᵀ and
// returns L (lower triangular). a is not modified.
func cholesky(a [][]float64) ([][]float64, error) {
	n := len(a)
	l := make([][]float64, n)
	for i := range l {
		l[i] = make([]float64, n)
	}
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			s := a[i][j]
			for k := 0; k < j; k++ {
				s -= l[i][k] * l[j][k]
			}
			if i == j {
				if s <= 0 || math.IsNaN(s) {
					return nil, errSingular
				}
				l[i][i] = math.Sqrt(s)
			} else {
				l[i][j] = s / l[j][j]
			}
		}
	}
	return l, nil
}

// solveCholesky solves L·Lᵀ·x = b.
func solveCholesky(l [][]float64, b []float64) []float64 {
	n := len(l)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		s := b[i]
		for k := 0; k < i; k++ {
			s -= l[i][k] * y[k]
		}
		y[i] = s / l[i][i]
	}
	x := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		s := y[i]
		for k := i + 1; k < n; k++ {
			s -= l[k][i] * x[k]
		}
		x[i] = s / l[i][i]
	}
	return x
}

// inverseDiagonal returns the diagonal of a⁻¹ from a's Cholesky factor.
func inverseDiagonal(l [][]float64) []float64 {
	n := len(l)
	d := make([]float64, n)
	e := make([]float64, n)
	for i := 0; i < n; i++ {
		for k := range e {
			e[k] = 0
		}
		e[i] = 1
		d[i] = solveCholesky(l, e)[i]
	}
	return d
}

// Standardize rescales every column of x to mean 0 and standard deviation
// 1 in place, and returns the means and deviations it used. A constant
// column is left centred with deviation 1.
func Standardize(x [][]float64) (mean, sd []float64) {
	if len(x) == 0 {
		return nil, nil
	}
	p := len(x[0])
	mean, sd = make([]float64, p), make([]float64, p)
	for _, row := range x {
		for j, v := range row {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(len(x))
	}
	for _, row := range x {
		for j, v := range row {
			sd[j] += (v - mean[j]) * (v - mean[j])
		}
	}
	for j := range sd {
		sd[j] = math.Sqrt(sd[j] / float64(len(x)))
		if sd[j] < 1e-12 {
			sd[j] = 1
		}
	}
	ApplyStandardize(x, mean, sd)
	return mean, sd
}

// ApplyStandardize rescales x in place with the means and deviations of
// an earlier Standardize.
func ApplyStandardize(x [][]float64, mean, sd []float64) {
	for _, row := range x {
		for j := range row {
			row[j] = (row[j] - mean[j]) / sd[j]
		}
	}
}
