//! Compile-fail tests of typerpc's `#[derive(Message)]` and `#[service]`:
//! the cases are in `tests/ui`, the runner in `tests/compile_fail.rs`.
//!
//! They live in a package of their own because trybuild compiles its cases
//! against every dependency of the package that runs it: here that is
//! typerpc alone, not the interop peers typerpc's own tests use.
