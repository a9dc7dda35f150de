//! Page and size of a list request.

/// Default and largest page sizes (PRODUCT.md §4).
pub const DEFAULT_PER_PAGE: u32 = 50;
pub const MAX_PER_PAGE: u32 = 500;
/// The largest page number (the document's `int32`).
pub const MAX_PAGE: u32 = i32::MAX as u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

impl Paging {
    /// Checks 1 ≤ `page` ≤ 2³¹−1 and 1 ≤ `per_page` ≤ 500; returns the offending
    /// parameter's name.
    pub fn parse(
        page: Option<i64>,
        per_page: Option<i64>,
    ) -> Result<Paging, (&'static str, String)> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(i64::from(DEFAULT_PER_PAGE));
        let page = u32::try_from(page)
            .ok()
            .filter(|p| (1..=MAX_PAGE).contains(p))
            .ok_or_else(|| ("page", format!("must be between 1 and {MAX_PAGE}")))?;
        let per_page = u32::try_from(per_page)
            .ok()
            .filter(|p| (1..=MAX_PER_PAGE).contains(p))
            .ok_or_else(|| ("per_page", format!("must be between 1 and {MAX_PER_PAGE}")))?;
        Ok(Paging { page, per_page })
    }

    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_stay_inside_int32() {
        assert_eq!(
            Paging::parse(Some(2_147_483_647), None).unwrap().page,
            MAX_PAGE
        );
        assert_eq!(
            Paging::parse(Some(2_147_483_648), None).unwrap_err().0,
            "page"
        );
        assert_eq!(Paging::parse(Some(0), None).unwrap_err().0, "page");
        assert_eq!(Paging::parse(None, Some(501)).unwrap_err().0, "per_page");
        assert_eq!(
            Paging::parse(None, None).unwrap().per_page,
            DEFAULT_PER_PAGE
        );
    }
}
