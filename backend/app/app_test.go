package app

import "github.com/alexedwards/argon2id"

// fastParams keep password hashing cheap in tests.
var fastParams = &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
