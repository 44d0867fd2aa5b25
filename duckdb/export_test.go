package duckdb

// FailAfterAppend makes the next Apply calls fail after appending rows and
// before committing; nil restores normal behaviour.
func FailAfterAppend(w *Warehouse, err error) {
	if err == nil {
		w.afterAppend = nil
		return
	}
	w.afterAppend = func() error { return err }
}
