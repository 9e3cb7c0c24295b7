package iamimpl

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
)

const (
	base62     = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	upperAlnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lowerAlnum = "0123456789abcdefghijklmnopqrstuvwxyz"

	// AccessKeyTokenPrefix starts every generated access key token, so that
	// secret scanners can recognise leaked ones.
	AccessKeyTokenPrefix = "tpk_"
	// AccessKeyIDPrefix starts every access key id.
	AccessKeyIDPrefix = "TPAK"
)

// randomString returns n characters drawn uniformly from alphabet (at most
// 256 characters) with crypto/rand.
func randomString(n int, alphabet string) string {
	// Rejection sampling keeps the distribution uniform.
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2+8)
	for len(out) < n {
		_, _ = rand.Read(buf) // Never fails on supported platforms (Go 1.24+ panics instead).
		for _, b := range buf {
			if int(b) < limit {
				out = append(out, alphabet[int(b)%len(alphabet)])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out)
}

func newTenantID() string    { return "tnt_" + randomString(16, lowerAlnum) }
func newUserID() string      { return "usr_" + randomString(16, lowerAlnum) }
func newSessionID() string   { return "ses_" + randomString(20, lowerAlnum) }
func newAccessKeyID() string { return AccessKeyIDPrefix + randomString(16, upperAlnum) }

// newAccessKeyToken is "tpk_" and 40 base62 characters (about 238 bits).
func newAccessKeyToken() string { return AccessKeyTokenPrefix + randomString(40, base62) }

// newSecret returns a 43-character base62 secret (about 256 bits) for
// session cookies and CSRF tokens.
func newSecret() string { return randomString(43, base62) }

// hashToken is the stored form of a bearer secret: hex SHA-256. Tokens are
// random and long, so a fast unsalted hash is enough and lets the lookup be
// an index scan.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
