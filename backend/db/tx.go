package db

import (
	"context"

	"gorm.io/gorm"
)

type txKey struct{}

// ContextWithTx returns ctx carrying tx, so that every store reached with
// ctx works inside that transaction (see Conn).
func ContextWithTx(ctx context.Context, tx *gorm.DB) context.Context {
	return context.WithValue(ctx, txKey{}, tx)
}

// InTx reports whether ctx carries a transaction.
func InTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*gorm.DB)
	return ok
}

// Conn is how every store obtains its *gorm.DB: the transaction ctx carries
// (the management API opens one per mutating request, so the change and its
// audit row commit together), else fallback; either way bound to ctx.
//
// A store must never use its own handle while ctx carries a transaction:
// SQLite has a single connection, so a second statement outside the
// transaction would wait for it forever.
func Conn(ctx context.Context, fallback *gorm.DB) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx.WithContext(ctx)
	}
	return fallback.WithContext(ctx)
}

// WithTx runs fn in a transaction, committed when fn returns nil. Inside a
// transaction carried by ctx it runs in a savepoint of that transaction
// instead, which the outer transaction commits or rolls back.
func WithTx(ctx context.Context, g *gorm.DB, fn func(tx *gorm.DB) error) error {
	return Conn(ctx, g).Transaction(fn)
}

// RunInTx runs fn with a context carrying a new transaction, committed when
// fn returns nil and rolled back otherwise. It does not nest: with a
// transaction already in ctx, fn runs in that one.
func (d *DB) RunInTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if InTx(ctx) {
		return fn(ctx)
	}
	h := &hooks{}
	err := d.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(ContextWithTx(context.WithValue(ctx, hooksKey{}, h), tx))
	})
	if err != nil {
		return err
	}
	for _, f := range h.fns {
		f()
	}
	return nil
}

type hooksKey struct{}

type hooks struct{ fns []func() }

// AfterCommit runs fn once the transaction ctx carries has committed (never
// if it rolls back), or at once when ctx carries none. Use it for effects
// that must not be seen before the change is visible: invalidating caches,
// notifying other processes.
func AfterCommit(ctx context.Context, fn func()) {
	if h, ok := ctx.Value(hooksKey{}).(*hooks); ok && InTx(ctx) {
		h.fns = append(h.fns, fn)
		return
	}
	fn()
}
