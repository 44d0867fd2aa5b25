package touchpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// JourneyDocument is a journey as written in a file (JSON or YAML, kept in
// git beside other configuration) or sent to the API: its id and its
// definition.
type JourneyDocument struct {
	ID string `json:"id"`
	JourneyDefinition
}

// MaxJourneyBytes caps a journey document.
const MaxJourneyBytes = 1 << 20

// DecodeJourney reads a journey document in JSON or YAML. Unknown fields
// are errors that name the field, so a misspelt key is not silently
// ignored. Returns EINVALID or ETOOLARGE.
func DecodeJourney(data []byte) (*JourneyDocument, error) {
	if len(data) > MaxJourneyBytes {
		return nil, Errorf(ETOOLARGE, "journey document is larger than %d bytes", MaxJourneyBytes)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, Errorf(EINVALID, "journey document is empty")
	}
	if trimmed[0] != '{' {
		// YAML is read into plain values and re-encoded as JSON, so both
		// formats share one decoder and one set of field names.
		var v any
		if err := yaml.Unmarshal(data, &v); err != nil {
			return nil, Errorf(EINVALID, "journey YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		}
		if _, ok := v.(map[string]any); !ok {
			return nil, Errorf(EINVALID, "journey document must be a mapping of fields (name, entry, nodes…)")
		}
		var err error
		if trimmed, err = json.Marshal(v); err != nil {
			return nil, Errorf(EINVALID, "journey YAML: %s", err.Error())
		}
	}
	var doc JourneyDocument
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, journeyDecodeError(err)
	}
	if dec.More() {
		return nil, Errorf(EINVALID, "journey document holds more than one JSON value")
	}
	return &doc, nil
}

func journeyDecodeError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return FieldError(te.Field, "must be %s, not %s", jsonKind(te.Type.Kind().String()), te.Value)
	case errors.As(err, &se):
		return Errorf(EINVALID, "journey JSON: %s at byte %d", se.Error(), se.Offset)
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		f = strings.Trim(f, `"`)
		return FieldError(f, "unknown field %q", f)
	}
	return Errorf(EINVALID, "journey document: %s", strings.TrimPrefix(msg, "json: "))
}

// EncodeJourneyYAML writes a journey document as YAML.
func EncodeJourneyYAML(doc *JourneyDocument) ([]byte, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var v yaml.Node
	if err := yaml.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("journey yaml: %w", err)
	}
	// JSON is valid YAML; re-encoding through a node gives block style.
	setBlock(&v)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&v); err != nil {
		return nil, fmt.Errorf("journey yaml: %w", err)
	}
	return buf.Bytes(), nil
}

func setBlock(n *yaml.Node) {
	n.Style &^= yaml.FlowStyle
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		// Let the encoder quote only strings that need it.
		n.Style = 0
	}
	for _, c := range n.Content {
		setBlock(c)
	}
}
