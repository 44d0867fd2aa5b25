package journey

import (
	"math"
	"strings"

	"github.com/touchpoint-cx/touchpoint"
)

// ArmOutcome counts enrolments of one arm ("split:arm", or "" outside any
// split) by status.
type ArmOutcome struct {
	Arm    string
	Status string
	N      int64
}

// ZTest names the test SplitConversion applies.
const ZTest = "two-sided two-proportion z-test of each arm's goal conversion against the holdout's (pooled standard error); significant when p < 0.05"

// SplitConversion computes each split's goal conversion by arm, and each
// arm's uplift over the holdout arm with a two-proportion z-test.
func SplitConversion(def *touchpoint.JourneyDefinition, outcomes []ArmOutcome) map[string]*touchpoint.SplitStats {
	out := map[string]*touchpoint.SplitStats{}
	for _, n := range def.Nodes {
		if n.Type != touchpoint.NodeSplit {
			continue
		}
		st := &touchpoint.SplitStats{Test: ZTest}
		var holdout *touchpoint.ArmStats
		for _, a := range n.Arms {
			as := &touchpoint.ArmStats{Arm: a.Name, Holdout: a.Holdout}
			for _, o := range outcomes {
				split, arm, _ := strings.Cut(o.Arm, ":")
				if split != n.ID || arm != a.Name {
					continue
				}
				as.Entered += o.N
				if o.Status == touchpoint.EnrolmentConverted {
					as.Converted += o.N
				}
			}
			if as.Entered > 0 {
				as.Rate = float64(as.Converted) / float64(as.Entered)
			}
			if a.Holdout && holdout == nil {
				holdout = as
			}
			st.Arms = append(st.Arms, as)
		}
		if holdout != nil {
			for _, as := range st.Arms {
				if as == holdout {
					continue
				}
				compare(as, holdout)
			}
		}
		out[n.ID] = st
	}
	return out
}

// compare fills a's uplift and z-test against the holdout h.
func compare(a, h *touchpoint.ArmStats) {
	if a.Entered == 0 || h.Entered == 0 {
		return
	}
	if h.Rate > 0 {
		u := (a.Rate - h.Rate) / h.Rate
		a.Uplift = &u
	}
	z, p, ok := TwoProportionZ(a.Converted, a.Entered, h.Converted, h.Entered)
	if !ok {
		return
	}
	a.Z, a.PValue = &z, &p
	a.Significant = p < 0.05
}

// TwoProportionZ tests whether x1/n1 differs from x2/n2, with a pooled
// standard error. It returns z, the two-sided p-value, and false when the
// test is undefined (an empty group, or no variance at all).
func TwoProportionZ(x1, n1, x2, n2 int64) (z, p float64, ok bool) {
	if n1 == 0 || n2 == 0 {
		return 0, 0, false
	}
	p1, p2 := float64(x1)/float64(n1), float64(x2)/float64(n2)
	pool := float64(x1+x2) / float64(n1+n2)
	se := math.Sqrt(pool * (1 - pool) * (1/float64(n1) + 1/float64(n2)))
	if se == 0 {
		return 0, 0, false
	}
	z = (p1 - p2) / se
	p = math.Erfc(math.Abs(z) / math.Sqrt2)
	return z, p, true
}
