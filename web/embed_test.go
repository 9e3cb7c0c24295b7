package web

import (
	"io/fs"
	"testing"
)

func TestDist(t *testing.T) {
	fsys, built := Dist()
	if fsys == nil {
		t.Fatal("nil fs")
	}
	_, err := fs.Stat(fsys, "index.html")
	if built != (err == nil) {
		t.Fatalf("built=%v but stat index.html err=%v", built, err)
	}
}
