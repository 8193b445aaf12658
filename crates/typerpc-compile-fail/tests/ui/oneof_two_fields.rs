use typerpc::Message;

#[derive(Message, Clone, Debug, PartialEq)]
pub enum Kind {
    Id(i64),
    Range(i64, i64),
}

fn main() {}
