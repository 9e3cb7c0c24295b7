// Package web embeds the built browser console (web/dist) into Go binaries.
//
// The embed directive cannot reach ../, so this file sits next to dist. A fresh clone holds
// only dist/.keep; `npm run build` (or `make`) fills it.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var embedded embed.FS

// Dist returns the console's static files rooted at dist/, and whether a build is
// present (dist/index.html exists). When built is false the backend should answer
// console paths with a hint to run `npm run build` in web/.
func Dist() (fsys fs.FS, built bool) {
	sub, err := fs.Sub(embedded, "dist")
	if err != nil {
		// Unreachable: "dist" is a valid path and is always embedded.
		panic(err)
	}
	_, err = fs.Stat(sub, "index.html")
	return sub, err == nil
}
