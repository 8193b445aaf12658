//! Our derive and prost's own derive must produce the same bytes for equal
//! values, and read each other's bytes. `prost::encoding` is exempt from
//! semver, so this test is what tells us a prost upgrade changed something.

use std::collections::HashMap;

use proptest::prelude::*;
use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct OursLeaf {
    pub name: String,
    pub weight: i64,
}

#[derive(Message, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OursColor {
    Unspecified,
    Red,
    Green,
}

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Ours {
    pub f_double: f64,
    pub f_float: f32,
    pub f_int32: i32,
    pub f_int64: i64,
    pub f_uint32: u32,
    pub f_uint64: u64,
    #[rpc(sint)]
    pub f_sint32: i32,
    #[rpc(sint)]
    pub f_sint64: i64,
    #[rpc(fixed)]
    pub f_fixed32: u32,
    #[rpc(fixed)]
    pub f_sfixed64: i64,
    pub f_bool: bool,
    pub f_string: String,
    pub f_bytes: Vec<u8>,
    pub f_color: OursColor,
    pub o_int32: Option<i32>,
    pub o_string: Option<String>,
    pub leaf: Option<OursLeaf>,
    pub r_int32: Vec<i32>,
    #[rpc(sint)]
    pub r_sint64: Vec<i64>,
    pub r_string: Vec<String>,
    pub r_leaf: Vec<OursLeaf>,
    pub map: HashMap<String, i64>,
    pub map_leaf: HashMap<u32, OursLeaf>,
}

mod theirs {
    use std::collections::HashMap;

    #[derive(Clone, PartialEq, prost_derive::Message)]
    pub struct Leaf {
        #[prost(string, tag = "1")]
        pub name: String,
        #[prost(int64, tag = "2")]
        pub weight: i64,
    }

    #[derive(Clone, PartialEq, prost_derive::Message)]
    pub struct Theirs {
        #[prost(double, tag = "1")]
        pub f_double: f64,
        #[prost(float, tag = "2")]
        pub f_float: f32,
        #[prost(int32, tag = "3")]
        pub f_int32: i32,
        #[prost(int64, tag = "4")]
        pub f_int64: i64,
        #[prost(uint32, tag = "5")]
        pub f_uint32: u32,
        #[prost(uint64, tag = "6")]
        pub f_uint64: u64,
        #[prost(sint32, tag = "7")]
        pub f_sint32: i32,
        #[prost(sint64, tag = "8")]
        pub f_sint64: i64,
        #[prost(fixed32, tag = "9")]
        pub f_fixed32: u32,
        #[prost(sfixed64, tag = "10")]
        pub f_sfixed64: i64,
        #[prost(bool, tag = "11")]
        pub f_bool: bool,
        #[prost(string, tag = "12")]
        pub f_string: String,
        #[prost(bytes = "vec", tag = "13")]
        pub f_bytes: Vec<u8>,
        #[prost(int32, tag = "14")]
        pub f_color: i32,
        #[prost(int32, optional, tag = "15")]
        pub o_int32: Option<i32>,
        #[prost(string, optional, tag = "16")]
        pub o_string: Option<String>,
        #[prost(message, optional, tag = "17")]
        pub leaf: Option<Leaf>,
        #[prost(int32, repeated, tag = "18")]
        pub r_int32: Vec<i32>,
        #[prost(sint64, repeated, tag = "19")]
        pub r_sint64: Vec<i64>,
        #[prost(string, repeated, tag = "20")]
        pub r_string: Vec<String>,
        #[prost(message, repeated, tag = "21")]
        pub r_leaf: Vec<Leaf>,
        #[prost(map = "string, int64", tag = "22")]
        pub map: HashMap<String, i64>,
        #[prost(map = "uint32, message", tag = "23")]
        pub map_leaf: HashMap<u32, Leaf>,
    }
}

fn leaf() -> impl Strategy<Value = (String, i64)> {
    (".{0,8}", any::<i64>())
}

prop_compose! {
    fn pair()(
        a in (any::<f64>(), any::<f32>(), any::<i32>(), any::<i64>(), any::<u32>(), any::<u64>(), any::<i32>(), any::<i64>()),
        b in (any::<u32>(), any::<i64>(), any::<bool>(), ".{0,12}", proptest::collection::vec(any::<u8>(), 0..12), 0..3i32),
        c in (proptest::option::of(any::<i32>()), proptest::option::of(".{0,6}"), proptest::option::of(leaf())),
        d in (proptest::collection::vec(any::<i32>(), 0..6), proptest::collection::vec(any::<i64>(), 0..6),
              proptest::collection::vec(".{0,4}", 0..4), proptest::collection::vec(leaf(), 0..3)),
        // One entry per map keeps HashMap iteration order out of the comparison.
        e in (proptest::option::of((".{0,4}", any::<i64>())), proptest::option::of((any::<u32>(), leaf()))),
    ) -> (Ours, theirs::Theirs) {
        let to_ours = |(name, weight): (String, i64)| OursLeaf { name, weight };
        let to_theirs = |(name, weight): (String, i64)| theirs::Leaf { name, weight };
        let ours = Ours {
            f_double: a.0, f_float: a.1, f_int32: a.2, f_int64: a.3, f_uint32: a.4, f_uint64: a.5,
            f_sint32: a.6, f_sint64: a.7, f_fixed32: b.0, f_sfixed64: b.1, f_bool: b.2,
            f_string: b.3.clone(), f_bytes: b.4.clone(),
            f_color: [OursColor::Unspecified, OursColor::Red, OursColor::Green][b.5 as usize],
            o_int32: c.0, o_string: c.1.clone(), leaf: c.2.clone().map(to_ours),
            r_int32: d.0.clone(), r_sint64: d.1.clone(), r_string: d.2.clone(),
            r_leaf: d.3.iter().cloned().map(to_ours).collect(),
            map: e.0.clone().into_iter().collect(),
            map_leaf: e.1.clone().map(|(k, l)| (k, to_ours(l))).into_iter().collect(),
        };
        let theirs = theirs::Theirs {
            f_double: a.0, f_float: a.1, f_int32: a.2, f_int64: a.3, f_uint32: a.4, f_uint64: a.5,
            f_sint32: a.6, f_sint64: a.7, f_fixed32: b.0, f_sfixed64: b.1, f_bool: b.2,
            f_string: b.3, f_bytes: b.4, f_color: b.5,
            o_int32: c.0, o_string: c.1, leaf: c.2.map(to_theirs),
            r_int32: d.0, r_sint64: d.1, r_string: d.2,
            r_leaf: d.3.into_iter().map(to_theirs).collect(),
            map: e.0.into_iter().collect(),
            map_leaf: e.1.map(|(k, l)| (k, to_theirs(l))).into_iter().collect(),
        };
        (ours, theirs)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn same_bytes_as_prost((ours, theirs) in pair()) {
        let our_bytes = ours.encode_to_vec();
        let their_bytes = prost::Message::encode_to_vec(&theirs);
        prop_assert_eq!(&our_bytes, &their_bytes);
        prop_assert_eq!(prost::Message::encoded_len(&ours), our_bytes.len());

        // Each reads the other's bytes back to an equal value.
        let back: theirs::Theirs = prost::Message::decode(&our_bytes[..]).unwrap();
        prop_assert_eq!(back, theirs);
        let back = Ours::decode(&their_bytes[..]).unwrap();
        // NaN never equals itself; compare such values by bits.
        prop_assert_eq!(back.encode_to_vec(), our_bytes);
    }
}
