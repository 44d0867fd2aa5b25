package password_test

import (
	"strings"
	"testing"

	"github.com/touchpoint-cx/touchpoint/internal/password"
)

func TestHashVerify(t *testing.T) {
	h, err := password.Hash("correct horse battery", password.Default)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	t.Run("OK", func(t *testing.T) {
		if ok, err := password.Verify("correct horse battery", h); !ok || err != nil {
			t.Fatalf("verify = %v, %v", ok, err)
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		if ok, err := password.Verify("correct horse battery!", h); ok || err != nil {
			t.Fatalf("verify = %v, %v", ok, err)
		}
	})
	t.Run("SaltedPerHash", func(t *testing.T) {
		h2, _ := password.Hash("correct horse battery", password.Default)
		if h2 == h {
			t.Fatal("two hashes of one password are equal: no salt")
		}
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", strings.Replace(h, "$v=19", "$v=x", 1)} {
			if _, err := password.Verify("x", bad); err != password.ErrMalformed {
				t.Fatalf("%q: %v", bad, err)
			}
		}
	})
}
