//! Page and size of a list request.

/// Default and largest page sizes (PRODUCT.md §4).
pub const DEFAULT_PER_PAGE: u32 = 50;
pub const MAX_PER_PAGE: u32 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

impl Paging {
    /// Checks `page` ≥ 1 and 1 ≤ `per_page` ≤ 500; returns the offending parameter's name.
    pub fn parse(
        page: Option<u32>,
        per_page: Option<u32>,
    ) -> Result<Paging, (&'static str, String)> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
        if page == 0 {
            return Err(("page", "must be 1 or more".to_owned()));
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(("per_page", format!("must be between 1 and {MAX_PER_PAGE}")));
        }
        Ok(Paging { page, per_page })
    }

    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }
}
