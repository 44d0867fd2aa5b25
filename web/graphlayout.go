package web

import (
	"math"
	"sort"
)

// A layered graph layout (Sugiyama style) for drawing flows left to right:
// the journey map, and any other directed graph a page wants a person to
// read. Charts get fixed coordinates from it, so the drawing is the same on
// every load and every screen, instead of a force layout's tangle.
//
// The steps are the classic ones:
//
//  1. Break cycles: order the nodes with the weighted greedy heuristic of
//     Eades, Lin and Smyth, so that the heaviest flows go forward; edges
//     against that order are "back" edges (loops, rework) and are reversed
//     for the layering.
//  2. Layer: the longest path from the sources, then sources are pulled
//     right next to their first successor, so that a side entrance does
//     not sit at the far left with a long edge.
//  3. Split edges that span several layers with dummy points, one per
//     layer, so they can bend around nodes instead of crossing them.
//  4. Order each layer by the weighted barycentre of its neighbours, in
//     sweeps down and up, keeping the order with the fewest weighted
//     crossings.
//  5. Place: x by layer; y by order, pulled towards the neighbours' y
//     (heavy edges pull harder) while keeping the order and the spacing.

// LayoutEdge is one directed edge to lay out, between node indexes.
type LayoutEdge struct {
	From, To int
	// Weight is the edge's volume: heavy edges go forward and straight.
	Weight float64
}

// LayoutOptions sizes the drawing, in pixels.
type LayoutOptions struct {
	// LayerGap is the distance between the centres of two layers.
	LayerGap float64
	// NodeHeight is the height of a node; NodeGap the free space between
	// two nodes of a layer, and between bends of edges (a third of it).
	NodeHeight, NodeGap float64
	// Sweeps bounds the crossing-reduction passes (default 24).
	Sweeps int
}

// Point is a position in the drawing.
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// PlacedNode is a node's place: its layer, its rank in the layer, and the
// centre of its box.
type PlacedNode struct {
	Layer int     `json:"layer"`
	Order int     `json:"order"`
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
}

// RoutedEdge is an edge's route: the bends between its ends, in the
// direction of the edge, and whether it goes against the flow.
type RoutedEdge struct {
	From   int     `json:"from"`
	To     int     `json:"to"`
	Bends  []Point `json:"bends"`
	Back   bool    `json:"back"`
	Weight float64 `json:"weight"`
}

// GraphLayout is a laid-out graph. Self-loops are left out: a page shows
// them on the node itself.
type GraphLayout struct {
	Nodes  []PlacedNode `json:"nodes"`
	Edges  []RoutedEdge `json:"edges"`
	Layers int          `json:"layers"`
	Width  float64      `json:"width"`
	Height float64      `json:"height"`
	// Crossings is the weighted number of edge crossings left.
	Crossings float64 `json:"crossings"`
}

// item is a node of the layered graph: a real node or a dummy bend.
type item struct {
	node  int // real node index, or -1 for a dummy
	layer int
	order int
	y     float64
	up    []link // neighbours in the layer to the left
	down  []link // neighbours in the layer to the right
}

// edgeKey is a directed edge between two node indexes.
type edgeKey struct{ a, b int }

type link struct {
	to     int // item index
	weight float64
}

// LayoutGraph lays out n nodes and the edges between them. Node indexes
// also break ties: put the nodes in the order they should appear when
// nothing else decides (most important first).
func LayoutGraph(n int, edges []LayoutEdge, opt LayoutOptions) GraphLayout {
	if opt.LayerGap == 0 {
		opt.LayerGap = 220
	}
	if opt.NodeHeight == 0 {
		opt.NodeHeight = 40
	}
	if opt.NodeGap == 0 {
		opt.NodeGap = 28
	}
	if opt.Sweeps == 0 {
		opt.Sweeps = 24
	}
	out := GraphLayout{Nodes: make([]PlacedNode, n), Edges: []RoutedEdge{}}
	if n == 0 {
		return out
	}

	// Merge parallel edges and drop self-loops.
	weight := map[edgeKey]float64{}
	var keys []edgeKey
	for _, e := range edges {
		if e.From == e.To || e.From < 0 || e.To < 0 || e.From >= n || e.To >= n {
			continue
		}
		k := edgeKey{e.From, e.To}
		if _, ok := weight[k]; !ok {
			keys = append(keys, k)
		}
		weight[k] += math.Max(e.Weight, 0)
	}

	pos := feedbackOrder(n, keys, weight)

	// Layering on the edges turned forward.
	succ := make([][]int, n)
	pred := make([][]int, n)
	for _, k := range keys {
		a, b := k.a, k.b
		if pos[a] > pos[b] {
			a, b = b, a
		}
		succ[a] = append(succ[a], b)
		pred[b] = append(pred[b], a)
	}
	byPos := make([]int, n)
	for v, p := range pos {
		byPos[p] = v
	}
	layer := make([]int, n)
	for _, v := range byPos {
		for _, u := range pred[v] {
			layer[v] = max(layer[v], layer[u]+1)
		}
	}
	// Pull sources (other than those at the start) next to their
	// successors: the nearest one decides.
	for i := n - 1; i >= 0; i-- {
		v := byPos[i]
		if len(pred[v]) > 0 || len(succ[v]) == 0 {
			continue
		}
		nearest := math.MaxInt
		for _, s := range succ[v] {
			nearest = min(nearest, layer[s])
		}
		layer[v] = max(layer[v], nearest-1)
	}
	layers := 0
	for _, l := range layer {
		layers = max(layers, l+1)
	}

	// Items: real nodes, then a dummy per layer crossed by a long edge.
	items := make([]*item, n)
	for v := range n {
		items[v] = &item{node: v, layer: layer[v]}
	}
	chains := make([][]int, len(keys)) // item chain from the edge's upper end to its lower end
	for i, k := range keys {
		a, b := k.a, k.b
		if layer[a] > layer[b] {
			a, b = b, a
		}
		w := weight[k]
		chain := []int{a}
		for l := layer[a] + 1; l < layer[b]; l++ {
			items = append(items, &item{node: -1, layer: l})
			chain = append(chain, len(items)-1)
		}
		chain = append(chain, b)
		for j := 0; j+1 < len(chain); j++ {
			x, y := chain[j], chain[j+1]
			items[x].down = append(items[x].down, link{y, w})
			items[y].up = append(items[y].up, link{x, w})
		}
		chains[i] = chain
	}

	// Initial order: by the order found in step 1, dummies after the node
	// they come from.
	rank := make([][]int, layers)
	for _, v := range byPos {
		rank[layer[v]] = append(rank[layer[v]], v)
	}
	for i := n; i < len(items); i++ {
		rank[items[i].layer] = append(rank[items[i].layer], i)
	}
	setOrder := func() {
		for _, r := range rank {
			for o, it := range r {
				items[it].order = o
			}
		}
	}
	setOrder()
	crossings := func() float64 {
		var c float64
		for l := 0; l+1 < layers; l++ {
			c += layerCrossings(items, rank[l])
		}
		return c
	}
	best := cloneRanks(rank)
	bestC := crossings()
	for s := 0; s < opt.Sweeps && bestC > 0; s++ {
		if s%2 == 0 {
			for l := 1; l < layers; l++ {
				sortByBarycentre(items, rank[l], true)
			}
		} else {
			for l := layers - 2; l >= 0; l-- {
				sortByBarycentre(items, rank[l], false)
			}
		}
		setOrder()
		if c := crossings(); c < bestC {
			best, bestC = cloneRanks(rank), c
		}
	}
	rank = best
	setOrder()
	out.Crossings = bestC

	// Coordinates.
	height := func(it int) float64 {
		if items[it].node < 0 {
			return opt.NodeGap / 3
		}
		return opt.NodeHeight
	}
	gap := func(a, b int) float64 {
		if items[a].node < 0 && items[b].node < 0 {
			return (height(a)+height(b))/2 + opt.NodeGap/3
		}
		return (height(a)+height(b))/2 + opt.NodeGap
	}
	for _, r := range rank {
		y := 0.0
		for i, it := range r {
			if i > 0 {
				y += gap(r[i-1], it)
			}
			items[it].y = y
		}
	}
	for iter := 0; iter < 8; iter++ {
		for _, r := range rank {
			want := make([]float64, len(r))
			for i, it := range r {
				want[i] = pull(items, items[it], iter%2 == 0)
			}
			place(items, r, want, gap)
		}
	}
	minY, maxY := math.Inf(1), math.Inf(-1)
	for _, it := range items {
		minY = math.Min(minY, it.y-height(0)/2)
		maxY = math.Max(maxY, it.y+height(0)/2)
	}
	for _, it := range items {
		it.y -= minY
	}
	out.Layers = layers
	out.Width = float64(layers-1) * opt.LayerGap
	out.Height = maxY - minY
	for v := range n {
		out.Nodes[v] = PlacedNode{Layer: layer[v], Order: items[v].order, X: float64(layer[v]) * opt.LayerGap, Y: items[v].y}
	}
	for i, k := range keys {
		chain := chains[i]
		e := RoutedEdge{From: k.a, To: k.b, Back: pos[k.a] > pos[k.b], Weight: weight[k], Bends: []Point{}}
		inner := chain[1 : len(chain)-1]
		if chain[0] != k.a {
			// The chain runs from the upper layer; this edge runs back.
			inner = reversed(inner)
		}
		for _, it := range inner {
			e.Bends = append(e.Bends, Point{X: float64(items[it].layer) * opt.LayerGap, Y: items[it].y})
		}
		out.Edges = append(out.Edges, e)
	}
	return out
}

// feedbackOrder orders the nodes so that as much edge weight as possible
// goes forward (Eades, Lin and Smyth's greedy heuristic, weighted): sinks
// go to the end, sources to the start, and otherwise the node whose
// outgoing weight most exceeds its incoming weight goes next. Ties go to
// the lower index. It returns each node's position.
func feedbackOrder(n int, keys []edgeKey, weight map[edgeKey]float64) []int {
	outW := make([]float64, n)
	inW := make([]float64, n)
	outs := make([]int, n) // edges to nodes not yet placed
	ins := make([]int, n)
	adjOut := make([][]int, n)
	adjIn := make([][]int, n)
	for _, k := range keys {
		outW[k.a] += weight[k]
		inW[k.b] += weight[k]
		outs[k.a]++
		ins[k.b]++
		adjOut[k.a] = append(adjOut[k.a], k.b)
		adjIn[k.b] = append(adjIn[k.b], k.a)
	}
	gone := make([]bool, n)
	var left, right []int
	remove := func(v int) {
		gone[v] = true
		for _, s := range adjOut[v] {
			inW[s] -= weight[edgeKey{v, s}]
			ins[s]--
		}
		for _, p := range adjIn[v] {
			outW[p] -= weight[edgeKey{p, v}]
			outs[p]--
		}
	}
	for remaining := n; remaining > 0; {
		for progress := true; progress; {
			progress = false
			for v := n - 1; v >= 0; v-- {
				if !gone[v] && outs[v] == 0 {
					right = append(right, v)
					remove(v)
					remaining--
					progress = true
				}
			}
			for v := 0; v < n; v++ {
				if !gone[v] && ins[v] == 0 {
					left = append(left, v)
					remove(v)
					remaining--
					progress = true
				}
			}
		}
		if remaining == 0 {
			break
		}
		bestV, bestD := -1, math.Inf(-1)
		for v := 0; v < n; v++ {
			if !gone[v] && outW[v]-inW[v] > bestD+1e-9 {
				bestV, bestD = v, outW[v]-inW[v]
			}
		}
		left = append(left, bestV)
		remove(bestV)
		remaining--
	}
	pos := make([]int, n)
	i := 0
	for _, v := range left {
		pos[v] = i
		i++
	}
	for j := len(right) - 1; j >= 0; j-- {
		pos[right[j]] = i
		i++
	}
	return pos
}

// hasNone reports whether every neighbour is gone.
func hasNone(adj []int, gone []bool) bool {
	for _, x := range adj {
		if !gone[x] {
			return false
		}
	}
	return true
}

// sortByBarycentre orders a layer by the weighted mean order of each
// item's neighbours on the side just placed (up = the layer to the left).
// Items without such neighbours keep their place.
func sortByBarycentre(items []*item, r []int, up bool) {
	bary := make(map[int]float64, len(r))
	for _, it := range r {
		ns := items[it].down
		if up {
			ns = items[it].up
		}
		var sum, w float64
		for _, l := range ns {
			ww := math.Sqrt(l.weight) + 1e-6
			sum += float64(items[l.to].order) * ww
			w += ww
		}
		if w == 0 {
			bary[it] = float64(items[it].order)
		} else {
			bary[it] = sum / w
		}
	}
	sort.SliceStable(r, func(i, j int) bool { return bary[r[i]] < bary[r[j]] })
}

// layerCrossings counts the crossings, weighted by the product of the
// edges' square-rooted weights, between a layer and the next.
func layerCrossings(items []*item, r []int) float64 {
	type seg struct {
		a, b int
		w    float64
	}
	var segs []seg
	for _, it := range r {
		for _, l := range items[it].down {
			segs = append(segs, seg{items[it].order, items[l.to].order, math.Sqrt(l.weight)})
		}
	}
	var c float64
	for i := range segs {
		for j := i + 1; j < len(segs); j++ {
			s, t := segs[i], segs[j]
			if (s.a < t.a && s.b > t.b) || (s.a > t.a && s.b < t.b) {
				c += s.w * t.w
			}
		}
	}
	return c
}

// pull is where an item's neighbours would have it: the weighted mean y of
// its neighbours on one side, or its own y without any.
func pull(items []*item, it *item, up bool) float64 {
	ns := it.down
	if up {
		ns = it.up
	}
	if len(ns) == 0 {
		ns = append(it.up, it.down...)
	}
	var sum, w float64
	for _, l := range ns {
		ww := math.Sqrt(l.weight) + 1e-6
		sum += items[l.to].y * ww
		w += ww
	}
	if w == 0 {
		return it.y
	}
	return sum / w
}

// place sets a layer's y as close to want as the order and the gaps allow:
// pushed down from the top and up from the bottom, the two averaged (both
// keep every gap, so their mean does too).
func place(items []*item, r []int, want []float64, gap func(a, b int) float64) {
	k := len(r)
	if k == 0 {
		return
	}
	down := make([]float64, k)
	upw := make([]float64, k)
	for i := range k {
		down[i] = want[i]
		if i > 0 {
			down[i] = math.Max(down[i], down[i-1]+gap(r[i-1], r[i]))
		}
	}
	for i := k - 1; i >= 0; i-- {
		upw[i] = want[i]
		if i < k-1 {
			upw[i] = math.Min(upw[i], upw[i+1]-gap(r[i], r[i+1]))
		}
	}
	for i, it := range r {
		items[it].y = (down[i] + upw[i]) / 2
	}
}

func cloneRanks(r [][]int) [][]int {
	out := make([][]int, len(r))
	for i := range r {
		out[i] = append([]int(nil), r[i]...)
	}
	return out
}

func reversed(s []int) []int {
	out := make([]int, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}
