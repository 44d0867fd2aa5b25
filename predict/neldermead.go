package predict

import (
	"math"
	"sort"
)

// minimize finds a local minimum of f from x0 with the Nelder-Mead
// simplex method, to a relative tolerance tol or maxIter iterations. The
// models here minimise negative log-likelihoods over log-parameters, which
// are smooth and unconstrained, where the simplex method is dependable.
func minimize(f func([]float64) float64, x0 []float64, tol float64, maxIter int) []float64 {
	n := len(x0)
	pts := make([][]float64, n+1)
	vals := make([]float64, n+1)
	for i := range pts {
		pts[i] = append([]float64(nil), x0...)
		if i > 0 {
			pts[i][i-1] += 0.5
		}
		vals[i] = f(pts[i])
	}
	order := make([]int, n+1)
	for iter := 0; iter < maxIter; iter++ {
		for i := range order {
			order[i] = i
		}
		sort.Slice(order, func(a, b int) bool { return vals[order[a]] < vals[order[b]] })
		best, worst, second := order[0], order[n], order[n-1]
		if math.Abs(vals[worst]-vals[best]) <= tol*(math.Abs(vals[best])+tol) {
			break
		}
		centroid := make([]float64, n)
		for _, i := range order[:n] {
			for j := range centroid {
				centroid[j] += pts[i][j] / float64(n)
			}
		}
		at := func(t float64) []float64 {
			p := make([]float64, n)
			for j := range p {
				p[j] = centroid[j] + t*(pts[worst][j]-centroid[j])
			}
			return p
		}
		r := at(-1)
		fr := f(r)
		switch {
		case fr < vals[best]:
			e := at(-2)
			if fe := f(e); fe < fr {
				pts[worst], vals[worst] = e, fe
			} else {
				pts[worst], vals[worst] = r, fr
			}
		case fr < vals[second]:
			pts[worst], vals[worst] = r, fr
		default:
			c := at(0.5)
			if fr < vals[worst] {
				c = at(-0.5)
			}
			if fc := f(c); fc < math.Min(fr, vals[worst]) {
				pts[worst], vals[worst] = c, fc
				continue
			}
			// Shrink towards the best point.
			for _, i := range order[1:] {
				for j := range pts[i] {
					pts[i][j] = pts[best][j] + 0.5*(pts[i][j]-pts[best][j])
				}
				vals[i] = f(pts[i])
			}
		}
	}
	bi := 0
	for i := range vals {
		if vals[i] < vals[bi] {
			bi = i
		}
	}
	return pts[bi]
}
