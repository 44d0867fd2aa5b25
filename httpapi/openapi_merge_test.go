package httpapi

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestMergeOpenAPI(t *testing.T) {
	base := `{"openapi":"3.1.0","paths":{"/a":{"get":{}}},"components":{"schemas":{"Error":{}}}}`
	t.Run("OK", func(t *testing.T) {
		b, err := mergeOpenAPI(fstest.MapFS{
			"openapi/base.json": {Data: []byte(base)},
			"openapi/x.json":    {Data: []byte(`{"paths":{"/a":{"post":{}},"/b":{"get":{}}},"components":{"schemas":{"X":{}}}}`)},
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"post"`, `"/b"`, `"X"`, `"Error"`} {
			if !strings.Contains(string(b), want) {
				t.Errorf("merged document lacks %s", want)
			}
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		for _, frag := range []string{`{"paths":{"/a":{"get":{}}}}`, `{"components":{"schemas":{"Error":{}}}}`, `{"info":{}}`} {
			_, err := mergeOpenAPI(fstest.MapFS{"openapi/base.json": {Data: []byte(base)}, "openapi/x.json": {Data: []byte(frag)}})
			if err == nil {
				t.Errorf("%s merged without error", frag)
			}
		}
	})
}
