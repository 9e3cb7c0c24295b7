package main

import (
	"context"
	"fmt"
)

// migrate applies pending migrations (openBase does it) and reports the
// schema version.
func migrate(ctx context.Context) error {
	b, err := openBase(ctx, false)
	if err != nil {
		return err
	}
	defer b.close()
	v, err := b.db.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("database schema at version %d (%s)\n", v, b.db.Dialect)
	return nil
}
