package iamimpl

// maxLimiterEntries bounds the in-process bookkeeping maps (last use of
// access keys, sign-ups per address); stale entries are pruned beyond it.
const maxLimiterEntries = 10000
