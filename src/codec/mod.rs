//! JPEG and PNG encoding and decoding.
