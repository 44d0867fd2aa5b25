package survey

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Tokens are what personal links (/s/{token}) and the widget answer with:
// an invitation id and an HMAC-SHA256 of it under the workspace's secret,
// "inv_….<signature>". Invitation ids are random and unguessable already;
// the signature lets a link be rejected before any lookup tells whether
// the id exists, and rotating the secret voids every link at once.

const tokenContext = "touchpoint survey link v1:"

// Sign returns the token of an invitation.
func Sign(secret []byte, invitationID string) string {
	return invitationID + "." + signature(secret, invitationID)
}

func signature(secret []byte, invitationID string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(tokenContext + invitationID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:20])
}

// SplitToken returns a token's invitation id, or false if the token is not
// of the right shape.
func SplitToken(token string) (string, bool) {
	id, sig, ok := strings.Cut(token, ".")
	if !ok || !strings.HasPrefix(id, "inv_") || len(id) > 64 || len(sig) != 27 {
		return "", false
	}
	return id, true
}

// Verify reports whether token is the signed token of invitationID.
func Verify(secret []byte, token, invitationID string) bool {
	want := Sign(secret, invitationID)
	return hmac.Equal([]byte(token), []byte(want))
}
