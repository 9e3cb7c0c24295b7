package apierr

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFields(t *testing.T) {
	base := Unprocessable("thing.invalid", "Invalid thing.")
	tests := []struct {
		desc    string
		add     [][3]string
		message string
		fields  []string
	}{
		{desc: "nothing added"},
		{desc: "one problem is spelled out", add: [][3]string{{"name", "required", "cannot be blank"}},
			message: "Invalid thing. name: cannot be blank.", fields: []string{"name"}},
		{desc: "several keep the base message", add: [][3]string{{"name", "required", "cannot be blank"}, {"size", "out_of_range", "too big"}},
			message: "Invalid thing.", fields: []string{"name", "size"}},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			f := NewFields(base)
			for _, a := range test.add {
				f.Add(a[0], a[1], a[2])
			}
			err := f.Err()
			if test.fields == nil {
				assert.NoError(t, err)
				return
			}
			var e *Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, 422, e.Status)
			assert.Equal(t, test.message, e.Message)
			assert.Len(t, e.Details, len(test.fields))
			for _, name := range test.fields {
				assert.Contains(t, e.Details, name)
			}
			assert.Empty(t, base.Details, "the base error is never changed")
		})
	}
}
