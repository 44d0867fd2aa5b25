package segment

import (
	"math"
	"math/rand/v2"

	"github.com/touchpoint-cx/touchpoint/predict"
)

// Clustering for discovered personas: k-means with k-means++ seeding on
// standardised features, the number of clusters chosen by the mean
// silhouette of a sample (the k whose points sit best inside their own
// cluster and farthest from the next one), the smaller k on a tie.

func dist2(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return s
}

// nearest returns the index of the centroid closest to p.
func nearest(p []float64, cs [][]float64) int {
	best, bd := 0, math.Inf(1)
	for i, c := range cs {
		if d := dist2(p, c); d < bd {
			best, bd = i, d
		}
	}
	return best
}

// kmeans clusters x into k groups: k-means++ seeding, then Lloyd's
// iterations until nothing moves. It returns the centroids, each point's
// cluster and the within-cluster sum of squares.
func kmeans(x [][]float64, k int, r *rand.Rand, iters int) ([][]float64, []int, float64) {
	n, d := len(x), len(x[0])
	cs := make([][]float64, 0, k)
	cs = append(cs, append([]float64(nil), x[r.IntN(n)]...))
	dd := make([]float64, n)
	for len(cs) < k {
		total := 0.0
		for i, p := range x {
			dd[i] = dist2(p, cs[nearest(p, cs)])
			total += dd[i]
		}
		if total == 0 {
			cs = append(cs, append([]float64(nil), x[r.IntN(n)]...))
			continue
		}
		t := r.Float64() * total
		i := 0
		for ; i < n-1 && t > dd[i]; i++ {
			t -= dd[i]
		}
		cs = append(cs, append([]float64(nil), x[i]...))
	}
	assign := make([]int, n)
	for i := range assign {
		assign[i] = -1
	}
	for it := 0; it < iters; it++ {
		moved := 0
		for i, p := range x {
			if c := nearest(p, cs); c != assign[i] {
				assign[i] = c
				moved++
			}
		}
		if moved == 0 {
			break
		}
		sums := make([][]float64, k)
		counts := make([]int, k)
		for c := range sums {
			sums[c] = make([]float64, d)
		}
		for i, p := range x {
			c := assign[i]
			counts[c]++
			for j, v := range p {
				sums[c][j] += v
			}
		}
		for c := range cs {
			if counts[c] == 0 {
				// An empty cluster restarts at the point farthest from its
				// centroid.
				far, fd := 0, -1.0
				for i, p := range x {
					if d := dist2(p, cs[assign[i]]); d > fd {
						far, fd = i, d
					}
				}
				cs[c] = append([]float64(nil), x[far]...)
				continue
			}
			for j := range cs[c] {
				cs[c][j] = sums[c][j] / float64(counts[c])
			}
		}
	}
	sse := 0.0
	for i, p := range x {
		sse += dist2(p, cs[assign[i]])
	}
	return cs, assign, sse
}

// silhouette is the mean silhouette of points x in clusters assign: for
// each point, (b - a) / max(a, b) where a is its mean distance to its own
// cluster and b to the nearest other one.
func silhouette(x [][]float64, assign []int, k int) float64 {
	n := len(x)
	if n < 2 || k < 2 {
		return 0
	}
	sizes := make([]int, k)
	for _, c := range assign {
		sizes[c]++
	}
	total := 0.0
	sums := make([]float64, k)
	for i, p := range x {
		clear(sums)
		for j, q := range x {
			if i != j {
				sums[assign[j]] += math.Sqrt(dist2(p, q))
			}
		}
		own := assign[i]
		if sizes[own] <= 1 {
			continue // a point alone in its cluster scores 0
		}
		a := sums[own] / float64(sizes[own]-1)
		b := math.Inf(1)
		for c := 0; c < k; c++ {
			if c != own && sizes[c] > 0 {
				b = min(b, sums[c]/float64(sizes[c]))
			}
		}
		if math.IsInf(b, 1) {
			continue
		}
		if m := max(a, b); m > 0 {
			total += (b - a) / m
		}
	}
	return total / float64(n)
}

// Clustering is the result of choosing k and clustering.
type Clustering struct {
	K          int
	Centroids  [][]float64
	Silhouette float64
	Scores     map[int]float64
}

// cluster chooses k in [kmin, kmax] by the mean silhouette of up to
// silSample points and returns the clustering of fit, the standardised
// points it was fitted on. Three seedings are tried per k; the one with
// the smallest within-cluster sum of squares is kept.
func cluster(fit [][]float64, kmin, kmax, silSample int, r *rand.Rand) Clustering {
	best := Clustering{Silhouette: math.Inf(-1), Scores: map[int]float64{}}
	sample := fit
	if len(fit) > silSample {
		sample = make([][]float64, silSample)
		for i, j := range r.Perm(len(fit))[:silSample] {
			sample[i] = fit[j]
		}
	}
	for k := kmin; k <= kmax && k < len(fit); k++ {
		var cs [][]float64
		sse := math.Inf(1)
		for range 3 {
			c, _, s := kmeans(fit, k, r, 100)
			if s < sse {
				cs, sse = c, s
			}
		}
		assign := make([]int, len(sample))
		for i, p := range sample {
			assign[i] = nearest(p, cs)
		}
		s := silhouette(sample, assign, k)
		best.Scores[k] = s
		if s > best.Silhouette+1e-9 {
			best.K, best.Centroids, best.Silhouette = k, cs, s
		}
	}
	return best
}

// ChooseK standardises points and returns the number of clusters the
// silhouette criterion picks for them.
func ChooseK(x [][]float64, r *rand.Rand) int {
	predict.Standardize(x)
	return cluster(x, 2, 8, 2000, r).K
}
