use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Leaf {
    pub n: i32,
}

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Order {
    #[rpc(default = Leaf { n: 3 })]
    pub leaf: Leaf,
}

fn main() {}
