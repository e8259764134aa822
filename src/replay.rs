//! `mailclerk replay`.
