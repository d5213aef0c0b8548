//! shutdown (work in progress)
