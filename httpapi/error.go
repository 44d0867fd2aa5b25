package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/touchpoint-cx/touchpoint"
)

var statusByCode = map[string]int{
	touchpoint.EINVALID:      http.StatusBadRequest,
	touchpoint.EUNAUTHORIZED: http.StatusUnauthorized,
	touchpoint.EFORBIDDEN:    http.StatusForbidden,
	touchpoint.ENOTFOUND:     http.StatusNotFound,
	touchpoint.ECONFLICT:     http.StatusConflict,
	touchpoint.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	touchpoint.EUNAVAILABLE:  http.StatusServiceUnavailable,
	touchpoint.ERATELIMITED:  http.StatusTooManyRequests,
	touchpoint.EINTERNAL:     http.StatusInternalServerError,
}

// ErrorStatus returns the HTTP status of an error code.
func ErrorStatus(code string) int {
	if s, ok := statusByCode[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// errorCodeByStatus is the reverse map, used by the client.
func errorCodeByStatus(status int) string {
	for code, s := range statusByCode {
		if s == status {
			return code
		}
	}
	return touchpoint.EINTERNAL
}

type errorBody struct {
	Error *touchpoint.Error `json:"error"`
}

// writeError renders err. Internal errors are logged with their detail and
// shown to the user only as "internal error".
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The client went away; there is no one to answer.
		logger.Debug("request cancelled by client", "method", r.Method, "path", r.URL.Path)
		return
	}
	code := touchpoint.ErrorCode(err)
	if code == touchpoint.EINTERNAL {
		logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, ErrorStatus(code), errorBody{Error: &touchpoint.Error{
		Code: code, Message: touchpoint.ErrorMessage(err), Field: touchpoint.ErrorField(err),
	}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
