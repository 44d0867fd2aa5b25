// Package importer brings history into Touchpoint from files: NDJSON with
// one Segment call per line, or CSV with a header row and a column mapping.
//
// Rows are validated one by one with the same decoder as the collection API;
// a bad row is counted and explained, never fatal. Imported calls carry no
// sentAt, so their original timestamps are kept. Rows without a messageId
// get one derived from their content, so importing a file twice adds
// nothing downstream.
package importer
