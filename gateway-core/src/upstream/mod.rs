//! upstream (work in progress)
