package web

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestLayoutGraph(t *testing.T) {
	opt := LayoutOptions{LayerGap: 200, NodeHeight: 40, NodeGap: 20}

	t.Run("Chain", func(t *testing.T) {
		g := LayoutGraph(4, []LayoutEdge{{0, 1, 5}, {1, 2, 5}, {2, 3, 5}, {3, 3, 9}}, opt)
		for i, n := range g.Nodes {
			if n.Layer != i || n.X != float64(i)*200 || n.Y != g.Nodes[0].Y {
				t.Fatalf("node %d at %+v, want layer %d on one straight line", i, n, i)
			}
		}
		if g.Layers != 4 || g.Width != 600 || g.Crossings != 0 || len(g.Edges) != 3 {
			t.Fatalf("layout %+v: want 4 layers, 3 edges (the self-loop left out)", g)
		}
	})

	t.Run("BackEdge", func(t *testing.T) {
		// Heavy a→b→c, a light way back c→a: rework, drawn against the flow.
		g := LayoutGraph(3, []LayoutEdge{{2, 0, 1}, {0, 1, 10}, {1, 2, 10}}, opt)
		if g.Nodes[0].Layer != 0 || g.Nodes[1].Layer != 1 || g.Nodes[2].Layer != 2 {
			t.Fatalf("layers %+v, want a, b, c left to right", g.Nodes)
		}
		var back *RoutedEdge
		for i := range g.Edges {
			if g.Edges[i].Back {
				back = &g.Edges[i]
			}
		}
		if back == nil || back.From != 2 || back.To != 0 {
			t.Fatalf("edges %+v, want c→a as the back edge", g.Edges)
		}
		// It bends once, in layer 1, beside b rather than through it.
		if len(back.Bends) != 1 || back.Bends[0].X != 200 || back.Bends[0].Y == g.Nodes[1].Y {
			t.Fatalf("back edge bends %+v (b at %+v)", back.Bends, g.Nodes[1])
		}
	})

	t.Run("UncrossesLayers", func(t *testing.T) {
		// x0→x1 and y0→y1, with the nodes numbered so the first order
		// crosses them.
		g := LayoutGraph(4, []LayoutEdge{{0, 3, 1}, {1, 2, 1}}, opt)
		if g.Crossings != 0 || (g.Nodes[0].Order < g.Nodes[1].Order) != (g.Nodes[3].Order < g.Nodes[2].Order) {
			t.Fatalf("orders %+v, crossings %v", g.Nodes, g.Crossings)
		}
	})

	t.Run("SideEntrance", func(t *testing.T) {
		// s enters the chain at c: it sits in the layer before c, not at
		// the far left with a long edge.
		g := LayoutGraph(4, []LayoutEdge{{0, 1, 9}, {1, 2, 9}, {3, 2, 1}}, opt)
		if g.Nodes[3].Layer != 1 {
			t.Fatalf("side entrance in layer %d, want 1", g.Nodes[3].Layer)
		}
	})

	t.Run("Random", func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for round := range 30 {
			n := 2 + r.IntN(25)
			var edges []LayoutEdge
			for range r.IntN(4 * n) {
				edges = append(edges, LayoutEdge{r.IntN(n), r.IntN(n), float64(1 + r.IntN(1000))})
			}
			g := LayoutGraph(n, edges, opt)
			if again := LayoutGraph(n, edges, opt); !reflect.DeepEqual(g, again) {
				t.Fatalf("round %d: two layouts of one graph differ", round)
			}
			for _, e := range g.Edges {
				a, b := g.Nodes[e.From], g.Nodes[e.To]
				if !e.Back && a.Layer >= b.Layer || e.Back && a.Layer <= b.Layer {
					t.Fatalf("round %d: edge %+v from layer %d to %d", round, e, a.Layer, b.Layer)
				}
				if span := b.Layer - a.Layer; len(e.Bends) != max(span, -span)-1 {
					t.Fatalf("round %d: edge over %d layers has %d bends", round, span, len(e.Bends))
				}
			}
			for i, a := range g.Nodes {
				if a.Y < 0 || a.Y > g.Height || a.X > g.Width {
					t.Fatalf("round %d: node %d at %+v outside %vx%v", round, i, a, g.Width, g.Height)
				}
				for j, b := range g.Nodes {
					if i != j && a.Layer == b.Layer && abs(a.Y-b.Y) < 60-1e-6 {
						t.Fatalf("round %d: nodes %d and %d overlap: %+v %+v", round, i, j, a, b)
					}
				}
			}
		}
	})
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
