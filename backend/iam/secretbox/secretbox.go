// Package secretbox encrypts secrets the platform must read back (an SSO
// client secret) before they are stored: AES-256-GCM under the platform's
// key (TURNPIKE_SECRET_KEY, or a key file the embedded default generates
// next to its SQLite file). A database dump alone does not reveal them.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the key length: AES-256.
const KeySize = 32

// prefix marks a sealed value, with the format's version, so stored values
// written before encryption existed (plain text) are told apart.
const prefix = "tpenc:v1:"

// Box seals and opens values with one key.
type Box struct {
	aead cipher.AEAD
}

// New returns a box over a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret key: %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Sealed reports whether a stored value is sealed (otherwise it is plain
// text from before encryption).
func Sealed(stored string) bool { return strings.HasPrefix(stored, prefix) }

// Seal encrypts plain; context (e.g. the owning row's id) is
// authenticated but not stored, so a sealed value copied to another row
// does not open there.
func (b *Box) Seal(plain, context string) string {
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce) // Never fails (Go 1.24+ panics instead).
	out := b.aead.Seal(nonce, nonce, []byte(plain), []byte(context))
	return prefix + base64.RawURLEncoding.EncodeToString(out)
}

// ErrOpen is a sealed value that does not open with this key and context.
var ErrOpen = errors.New("secret does not decrypt with this TURNPIKE_SECRET_KEY")

// Open decrypts a value Seal returned with the same context.
func (b *Box) Open(stored, context string) (string, error) {
	if !Sealed(stored) {
		return "", fmt.Errorf("opening secret: not sealed")
	}
	raw, err := base64.RawURLEncoding.DecodeString(stored[len(prefix):])
	if err != nil || len(raw) < b.aead.NonceSize() {
		return "", fmt.Errorf("opening secret: malformed")
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(context))
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}

// KeyFileName is the key file the embedded default keeps in its data
// directory.
const KeyFileName = "secret.key"

// LoadOrCreateKeyFile reads the base64 key in path, or when there is none
// creates one (mode 0600, its directory 0700 if new) and reports created.
func LoadOrCreateKeyFile(path string) (key []byte, created bool, err error) {
	b, err := os.ReadFile(path)
	if err == nil {
		key, err = base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) != KeySize {
			return nil, false, fmt.Errorf("secret key file %s: not base64 of %d bytes", path, KeySize)
		}
		return key, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("reading secret key file: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("creating data directory: %w", err)
	}
	key = make([]byte, KeySize)
	_, _ = rand.Read(key)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		// Another process made it first: use theirs.
		return LoadOrCreateKeyFile(path)
	}
	if err != nil {
		return nil, false, fmt.Errorf("creating secret key file: %w", err)
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		_ = f.Close()
		return nil, false, fmt.Errorf("writing secret key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, false, fmt.Errorf("writing secret key file: %w", err)
	}
	return key, true, nil
}
