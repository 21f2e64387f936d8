//! Picture icons, compiled in (sources in `assets/icons/src/`, rendered by
//! `assets/icons/render.sh`). Each handle is created once so the renderer decodes each
//! picture once.

use std::sync::LazyLock;

use iced::widget::image::Handle;

macro_rules! icons {
    ($($name:ident => $file:literal),* $(,)?) => {
        $(
            #[doc = concat!("The `", $file, "` icon.")]
            pub static $name: LazyLock<Handle> =
                LazyLock::new(|| Handle::from_bytes(include_bytes!(concat!("../assets/icons/", $file)).as_slice()));
        )*
    };
}

icons! {
    BORROW => "borrow.png",
    RETURN => "return.png",
    ACCOUNT => "account.png",
    STATION => "station.png",
    HOW_SCAN => "how-scan.png",
    HOW_PAD => "how-pad.png",
    COURIER => "courier.png",
    DELIVERY => "delivery.png",
    SANITATION => "sanitation.png",
    POLICE => "police.png",
    WORKER => "worker.png",
    REST => "rest.png",
    WATER => "water.png",
    CHARGING => "charging.png",
    CLIMATE => "climate.png",
    READING => "reading.png",
    MICROWAVE => "microwave.png",
    FIRST_AID => "first-aid.png",
    RESTROOM => "restroom.png",
    CHECKOUT => "checkout.png",
    STATS => "stats.png",
}

/// The icon a trade or service names in the configuration (`icon = "water"`); the rest
/// station's cup for a name the kiosk has no picture for.
pub fn named(name: &str) -> &'static Handle {
    match name {
        "courier" => &COURIER,
        "delivery" => &DELIVERY,
        "sanitation" => &SANITATION,
        "police" => &POLICE,
        "worker" => &WORKER,
        "rest" => &REST,
        "water" => &WATER,
        "charging" => &CHARGING,
        "climate" => &CLIMATE,
        "reading" | "books" => &READING,
        "microwave" => &MICROWAVE,
        "first-aid" => &FIRST_AID,
        "restroom" => &RESTROOM,
        _ => &STATION,
    }
}
