//! The Annex B splitter on generated streams: property tests that share the
//! body of the `h264_annexb` fuzz target.

mod h264_support;

use camreel::h264::annexb::{AccessUnits, NalType, nal_units};
use h264_support::fuzz_body::fuzz_annexb;
use proptest::prelude::*;

/// A stream of `units` pictures: SPS+PPS+IDR every `gop`, P slices between,
/// start codes of 3 or 4 bytes as `long` says.
fn stream(units: &[(bool, u8)], long: &[bool]) -> Vec<u8> {
    let sps: [u8; 14] = [
        0x67, 0x42, 0xc0, 0x1e, 0x8c, 0x68, 0x0a, 0x03, 0xda, 0x01, 0xe1, 0x10, 0x8d, 0x40,
    ];
    let mut out = Vec::new();
    let mut i = 0;
    let mut push = |out: &mut Vec<u8>, nal: &[u8]| {
        if long.get(i).copied().unwrap_or(true) {
            out.push(0);
        }
        i += 1;
        out.extend_from_slice(&[0, 0, 1]);
        out.extend_from_slice(nal);
    };
    for &(key, fill) in units {
        if key {
            push(&mut out, &sps);
            push(&mut out, &[0x68, 0xce, 0x3c, 0x80]);
            push(&mut out, &[0x65, 0x88, fill | 1, 0x40]);
        } else {
            push(&mut out, &[0x41, 0x9a, fill | 1, 0x40]);
        }
    }
    out
}

/// `default` cases, or `PROPTEST_CASES` when set: scripts/fuzz_proptests.sh
/// runs the fuzz targets' bodies here for minutes.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(cases(256)) })]

    #[test]
    fn random_bytes(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        fuzz_annexb(&data);
    }

    #[test]
    fn streams_split_into_their_pictures(
        units in proptest::collection::vec((any::<bool>(), any::<u8>()), 1..20),
        long in proptest::collection::vec(any::<bool>(), 0..80),
    ) {
        let buf = stream(&units, &long);
        fuzz_annexb(&buf);
        let got: Vec<_> = AccessUnits::new(&buf).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(got.len(), units.len());
        for ((_, info), (key, _)) in got.iter().zip(&units) {
            prop_assert_eq!(info.key_frame, *key);
            prop_assert_eq!(info.sps.is_some(), *key);
            prop_assert_eq!(info.slices, 1);
        }
        let slices = nal_units(&buf).filter(|n| n.as_ref().unwrap().nal_type().is_vcl()).count();
        prop_assert_eq!(slices, units.len());
    }

    #[test]
    fn damaged_streams(
        units in proptest::collection::vec((any::<bool>(), any::<u8>()), 1..10),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
        cut in any::<usize>(),
    ) {
        let mut buf = stream(&units, &[]);
        for (at, x) in flips {
            let n = buf.len();
            buf[at % n] ^= x;
        }
        fuzz_annexb(&buf);
        fuzz_annexb(&buf[..cut % (buf.len() + 1)]);
    }
}

#[test]
fn types_of_a_generated_stream() {
    let buf = stream(&[(true, 0), (false, 0)], &[]);
    let types: Vec<_> = nal_units(&buf).map(|n| n.unwrap().nal_type()).collect();
    assert_eq!(
        types,
        [
            NalType::Sps,
            NalType::Pps,
            NalType::IdrSlice,
            NalType::NonIdrSlice
        ]
    );
}
