//! The benchmark's reference point (`bench/run`): a bare actix-web server that answers every
//! GET with the same JSON from memory, as fast as this framework can answer at all on this
//! machine. devfund's figures are read as a share of it.
//!
//!     cargo run --release --example bare -- <file.json> <127.0.0.1:port>

#![forbid(unsafe_code)]

use actix_web::{App, HttpResponse, HttpServer, web};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(file), Some(bind)) = (args.next(), args.next()) else {
        eprintln!("usage: bare <file.json> <address:port>");
        std::process::exit(2);
    };
    let body = web::Bytes::from(std::fs::read(file)?);
    HttpServer::new(move || {
        let body = body.clone();
        App::new().default_service(web::get().to(move || {
            let body = body.clone();
            async move {
                HttpResponse::Ok()
                    .content_type("application/json")
                    .body(body)
            }
        }))
    })
    .bind(bind)?
    .run()
    .await
}
