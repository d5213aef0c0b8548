//! Config files: locating, loading (1.x and 2.x layouts), `${env:…}` references, validation with JSON
//! paths and line numbers.

pub mod model;

pub use model::*;
