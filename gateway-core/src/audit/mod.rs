//! audit (work in progress)
