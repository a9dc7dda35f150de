//! A small XML writer: elements appended to a `String`, every text and attribute value
//! escaped, and characters that XML 1.0 cannot carry (control characters other than tab,
//! line feed and carriage return, and the non-characters U+FFFE/U+FFFF) dropped.

/// Appends XML to a buffer; the caller keeps elements balanced (each `open` has its `close`).
#[derive(Debug, Default)]
pub struct Xml {
    out: String,
}

fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// Appends `text` escaped for element content (`attr`: also for a double-quoted attribute).
fn escape(out: &mut String, text: &str, attr: bool) {
    for c in text.chars().filter(|c| allowed(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\'' if attr => out.push_str("&apos;"),
            // An attribute value's whitespace is normalized by parsers unless escaped.
            '\t' if attr => out.push_str("&#9;"),
            '\n' if attr => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

impl Xml {
    pub fn new() -> Self {
        Self::default()
    }

    /// A writer that appends to `out`.
    pub fn on(out: String) -> Self {
        Xml { out }
    }

    pub fn into_string(self) -> String {
        self.out
    }

    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            escape(&mut self.out, v, true);
            self.out.push('"');
        }
    }

    /// `<name a="…">`
    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start(name, attrs);
        self.out.push('>');
    }

    /// `</name>`
    pub fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `<name a="…"/>`
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start(name, attrs);
        self.out.push_str("/>");
    }

    /// `<name a="…">text</name>`
    pub fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.open(name, attrs);
        escape(&mut self.out, text, false);
        self.close(name);
    }

    /// A line break between top-level elements (for readers of the raw file).
    pub fn newline(&mut self) {
        self.out.push('\n');
    }

    /// `<name a="…"><narrative>text</narrative></name>`
    pub fn narrated(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.open(name, attrs);
        self.text("narrative", &[], text);
        self.close(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut x = Xml::new();
        x.text("t", &[("a", "<&\"'\n>")], "<&\"'>\u{1}ok\r");
        assert_eq!(
            x.into_string(),
            "<t a=\"&lt;&amp;&quot;&apos;&#10;&gt;\">&lt;&amp;\"'&gt;ok&#13;</t>"
        );
    }

    #[test]
    fn elements_nest() {
        let mut x = Xml::new();
        x.open("a", &[]);
        x.empty("b", &[("c", "1")]);
        x.narrated("d", &[], "e");
        x.close("a");
        assert_eq!(
            x.into_string(),
            "<a><b c=\"1\"/><d><narrative>e</narrative></d></a>"
        );
    }
}
