package apierr

// Fields collects the per-field problems of one request into a single
// error built on base (usually a 422), so a caller sees every problem at
// once.
type Fields struct {
	base *Error
	e    *Error
}

// NewFields starts an empty collection on base.
func NewFields(base *Error) *Fields { return &Fields{base: base} }

// Add records a problem with field.
func (f *Fields) Add(field, code, msg string) {
	if f.e == nil {
		f.e = f.base
	}
	f.e = f.e.WithDetail(field, code, msg)
}

// Err returns the collected error, or nil when nothing was added. A single
// problem is also spelled out in the message, which is what CLIs print.
func (f *Fields) Err() error {
	if f.e == nil {
		return nil
	}
	if len(f.e.Details) == 1 {
		for field, d := range f.e.Details {
			return f.e.WithMessage("%s %s: %s.", f.base.Message, field, d.Message)
		}
	}
	return f.e
}
