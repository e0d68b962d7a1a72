//! The back end for many server processes: PostgreSQL, reached by a `postgres://` URL.
//!
//! Every process runs the migrations at start-up; sqlx takes an advisory lock for that, so
//! processes starting together apply each migration once.

use sqlx::postgres::PgPoolOptions;
use sqlx::Postgres;

use super::sql::SqlStorage;
use super::StorageError;

pub type PgStorage = SqlStorage<Postgres>;

impl SqlStorage<Postgres> {
    /// Connects to `url` and brings its schema up to date.
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(SqlStorage::new(pool))
    }
}
