package secretbox

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBox(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	b, err := New(key)
	require.NoError(t, err)
	sealed := b.Seal("s3cret", "tnt_a")
	assert.True(t, Sealed(sealed))
	assert.NotContains(t, sealed, "s3cret")
	assert.NotEqual(t, sealed, b.Seal("s3cret", "tnt_a"), "a fresh nonce each time")

	tests := []struct {
		desc    string
		box     *Box
		stored  string
		context string
		want    string
		err     string
	}{
		{desc: "round trip", box: b, stored: sealed, context: "tnt_a", want: "s3cret"},
		{desc: "other context", box: b, stored: sealed, context: "tnt_b", err: "does not decrypt"},
		{desc: "other key", box: must(New(bytes.Repeat([]byte{8}, KeySize))), stored: sealed, context: "tnt_a", err: "does not decrypt"},
		{desc: "plain text", box: b, stored: "s3cret", context: "tnt_a", err: "not sealed"},
		{desc: "malformed", box: b, stored: prefix + "!!", context: "tnt_a", err: "malformed"},
		{desc: "tampered", box: b, stored: sealed[:len(sealed)-2] + "AA", context: "tnt_a", err: "does not decrypt"},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			got, err := test.box.Open(test.stored, test.context)
			if test.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), test.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, test.want, got)
		})
	}
	_, err = New(key[:16])
	assert.Error(t, err)
}

func must(b *Box, err error) *Box {
	if err != nil {
		panic(err)
	}
	return b
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", KeyFileName)
	key, created, err := LoadOrCreateKeyFile(path)
	require.NoError(t, err)
	assert.True(t, created)
	assert.Len(t, key, KeySize)
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	again, created, err := LoadOrCreateKeyFile(path)
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, key, again)

	require.NoError(t, os.WriteFile(path, []byte(strings.Repeat("x", 10)), 0o600))
	_, _, err = LoadOrCreateKeyFile(path)
	assert.ErrorContains(t, err, "not base64")
}
