//! Plain Rust types as a protobuf schema: prints the `.proto` typerpc writes
//! for a small catalogue, then round-trips a value through the binary format
//! and proto3 JSON.
//!
//! Run with `cargo run -p schema`.

use std::collections::HashMap;

use typerpc::schema::SchemaBuilder;
use typerpc::{Message, Timestamp};

/// A product in the catalogue.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "catalogue.v1")]
pub struct Product {
    /// Stock-keeping unit.
    pub sku: String,
    pub name: String,
    /// Price in cents (a 64-bit integer is a string in JSON).
    pub price_cents: i64,
    pub tags: Vec<String>,
    pub availability: Availability,
    pub discount: Option<Discount>,
}

/// Whether a product can be bought.
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq)]
#[rpc(package = "catalogue.v1")]
pub enum Availability {
    Unspecified,
    InStock,
    Backorder,
}

/// How a price is reduced: a oneof.
#[derive(Message, Clone, Debug, PartialEq)]
pub enum Discount {
    /// Percent off.
    Percent(f64),
    /// A fixed amount off, in cents.
    AmountCents(i64),
}

/// A page of products.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "catalogue.v1")]
pub struct ProductPage {
    pub products: Vec<Product>,
    pub generated_at: Option<Timestamp>,
    pub counts_by_tag: HashMap<String, u32>,
    /// Page size; a sender that omits it means 20.
    #[rpc(default = 20)]
    pub page_size: i32,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = SchemaBuilder::new();
    builder.add_message(ProductPage::schema());
    let set = builder.build()?;
    for file in set.files().iter().filter(|f| !f.is_well_known()) {
        println!("// ---- {} ----", file.path);
        println!("{}", set.proto_text(file));
    }

    let page = ProductPage {
        products: vec![Product {
            sku: "P-1".into(),
            name: "Fountain pen".into(),
            price_cents: 2_500,
            tags: vec!["writing".into()],
            availability: Availability::InStock,
            discount: Some(Discount::Percent(10.0)),
        }],
        generated_at: Some(Timestamp::new(1_700_000_000, 0)),
        counts_by_tag: HashMap::from([("writing".to_string(), 1)]),
        page_size: 20,
    };
    let bytes = page.encode_to_vec();
    let json = page.to_json()?;
    println!("binary: {} bytes", bytes.len());
    println!("json:   {json}");
    assert_eq!(ProductPage::decode(&bytes[..])?, page);
    assert_eq!(ProductPage::from_json(&json)?, page);
    let omitted = ProductPage::from_json(r#"{"products": []}"#)?;
    println!("page_size when omitted: {}", omitted.page_size);
    assert_eq!(omitted.page_size, 20);
    Ok(())
}
