//! auth (work in progress)
