//! `mailclerk explain`.
