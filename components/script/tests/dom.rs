//! DOM operations on parsed and script-built trees.

mod common;

use common::{run_files, run_script};

#[test]
fn parsed_tree_has_the_expected_shape() {
    let run = run_files(
        "tree",
        r#"<!DOCTYPE html><html><head><title> Hello   world </title></head>
        <body><div id="main" class="a b"><p>one</p><p>two</p></div><!-- note --></body></html>
        <script>
        const main = document.getElementById("main");
        console.log(document.doctype.name, document.documentElement.tagName, document.title);
        console.log(main.tagName, main.children.length, main.childNodes.length, main.firstChild.textContent, main.lastChild.textContent);
        console.log(main.className, main.classList.contains("b"), main.classList.length);
        console.log(document.getElementsByTagName("p").length, document.getElementsByTagName("p")[1].textContent);
        const note = [...document.body.childNodes].find((n) => n.nodeType === Node.COMMENT_NODE);
        console.log(note.nodeType, note.nodeValue.trim());
        console.log(main.parentNode === document.body, main.parentElement.tagName, document.head.firstChild.nodeName);
        </script>"#,
        &[],
    );
    assert_eq!(
        run.lines,
        [
            "html HTML Hello world",
            "DIV 2 2 one two",
            "a b true 2",
            "2 two",
            "8 note",
            "true BODY TITLE"
        ]
    );
}

#[test]
fn creating_inserting_and_removing_nodes() {
    let run = run_script(
        "mutations",
        r#"
        document.addEventListener("DOMContentLoaded", () => {
          const ul = document.createElement("UL");
          document.body.appendChild(ul);
          for (const t of ["a", "b", "c"]) {
            const li = document.createElement("li");
            li.appendChild(document.createTextNode(t));
            ul.appendChild(li);
          }
          console.log(ul.tagName, ul.localName, ul.childNodes.length, ul.textContent);
          const b = ul.children[1];
          ul.insertBefore(b, ul.firstChild);
          console.log(ul.textContent);
          ul.removeChild(ul.lastChild);
          console.log(ul.textContent, ul.childElementCount);
          b.remove();
          console.log(ul.textContent, b.parentNode);
          ul.textContent = "replaced";
          console.log(ul.childNodes.length, ul.firstChild.nodeType, ul.firstChild.data);
          const p = document.createElement("p");
          p.setAttribute("data-x", "1");
          p.id = "pid";
          console.log(p.getAttribute("data-x"), p.getAttribute("id"), p.hasAttribute("missing"), p.getAttributeNames().join(","));
          p.toggleAttribute("hidden");
          console.log(p.hidden, p.hasAttributes());
          p.classList.add("x", "y"); p.classList.remove("x"); p.classList.toggle("z");
          console.log(p.className, String(p.classList));
          console.log(ul.contains(ul.firstChild), ul.contains(p));
        });
        "#,
    );
    assert_eq!(
        run.lines,
        [
            "UL ul 3 abc",
            "bac",
            "ba 2",
            "a null",
            "1 3 replaced",
            "1 pid false data-x,id",
            "true true",
            "y z y z",
            "true false"
        ]
    );
}

#[test]
fn hierarchy_errors_are_domexceptions() {
    let run = run_script(
        "hierarchy",
        r#"
        document.addEventListener("DOMContentLoaded", () => {
          const div = document.createElement("div");
          const child = document.createElement("span");
          div.appendChild(child);
          try { child.appendChild(div); } catch (e) { console.log(e.name, e.code, e instanceof DOMException); }
          try { div.removeChild(document.body); } catch (e) { console.log(e.name, e.code); }
          try { document.appendChild(document.createTextNode("x")); } catch (e) { console.log(e.name); }
          try { document.createElement("1bad"); } catch (e) { console.log(e.name); }
        });
        "#,
    );
    assert_eq!(
        run.lines,
        [
            "HierarchyRequestError 3 true",
            "NotFoundError 8",
            "HierarchyRequestError",
            "InvalidCharacterError"
        ]
    );
}

#[test]
fn scripts_inserted_by_script_run() {
    let run = run_files(
        "dynamic-script",
        r#"<!DOCTYPE html><body><script>
        const inline = document.createElement("script");
        inline.textContent = "console.log('inline inserted')";
        document.body.appendChild(inline);
        const ext = document.createElement("script");
        ext.src = "dyn.js";
        ext.onload = () => console.log("loaded", window.dyn);
        document.body.appendChild(ext);
        const missing = document.createElement("script");
        missing.src = "missing.js";
        missing.addEventListener("error", () => console.log("error event"));
        document.body.appendChild(missing);
        console.log("after append");
        </script></body>"#,
        &[("dyn.js", b"window.dyn = 'yes';")],
    );
    assert_eq!(
        run.lines,
        [
            "inline inserted",
            "after append",
            "loaded yes",
            "error event"
        ]
    );
}

#[test]
fn location_and_url_follow_the_document_url() {
    let base = common::serve(vec![(
        "/dir/page.html?q=1",
        "text/html",
        r#"<script>
        console.log(location.protocol, location.hostname, location.pathname, location.search, location.origin === self.origin);
        const u = new URL("../x/y.js?a=b#h", location.href);
        console.log(u.pathname, u.search, u.hash, u.searchParams.get("a"));
        const p = new URLSearchParams("a=1&b=2&a=3");
        p.append("c", "4"); p.delete("b");
        console.log(p.getAll("a").join("+"), p.toString(), [...p.keys()].join(""));
        console.log(isSecureContext, btoa("hi"), atob("aGk="));
        </script>"#
            .to_string(),
    )]);
    let run = common::run_url(
        url::Url::parse(&format!("{base}/dir/page.html?q=1")).unwrap(),
        std::time::Duration::from_secs(20),
    );
    assert_eq!(
        run.lines,
        [
            "http: 127.0.0.1 /dir/page.html ?q=1 true",
            "/x/y.js ?a=b #h b",
            "1+3 a=1&a=3&c=4 aac",
            "true aGk= hi"
        ]
    );
}

#[test]
fn dom_objects_survive_garbage_collection_under_allocation_pressure() {
    // Enough garbage to force several GCs while DOM objects are referenced only from Rust
    // (the tree), only from JS (listeners, detached nodes) or from both.
    let run = run_script(
        "gc-pressure",
        r#"
        document.addEventListener("DOMContentLoaded", () => {
          const kept = [];
          for (let round = 0; round < 6; round++) {
            const div = document.createElement("div");
            document.body.appendChild(div);
            for (let i = 0; i < 2000; i++) {
              const el = document.createElement("span");
              el.setAttribute("data-i", String(i));
              el.addEventListener("x", () => i);
              div.appendChild(el);
              new CustomEvent("e", { detail: { i, list: new Array(10).fill(i) } });
            }
            if (round % 2) div.remove();
            kept.push(div.children[round]);
            const junk = [];
            for (let j = 0; j < 50000; j++) junk.push({ j, s: "x" + j });
          }
          const spans = document.getElementsByTagName("span");
          console.log(spans.length, kept.map((k) => k.getAttribute("data-i")).join(","), spans[4321].getAttribute("data-i"));
        });
        "#,
    );
    assert_eq!(run.lines, ["6000 0,1,2,3,4,5 321"]);
}

/// DOM objects that only Rust fields reach (a node in the tree, an event's target, the nodes
/// of a static NodeList) outlive garbage collections: their owners' derived `Trace` impls keep
/// their reflectors, with their expando properties, alive.
#[test]
fn objects_reached_only_through_dom_fields_survive_garbage_collection() {
    let run = run_script(
        "gc",
        r#"
        document.addEventListener("DOMContentLoaded", () => {
          (() => {
            const div = document.createElement("div");
            div.expando = "in the tree";
            document.body.appendChild(div);
          })();
          const event = new Event("x");
          (() => {
            const span = document.createElement("span");
            span.expando = "the target";
            span.dispatchEvent(event);
          })();
          const list = (() => {
            const p = document.createElement("p");
            p.expando = "listed";
            document.body.appendChild(p);
            const found = document.querySelectorAll("p");
            p.remove();
            return found;
          })();
          // Enough garbage for several full collections.
          let kept = 0;
          for (let round = 0; round < 40; round++) {
            let garbage = [];
            for (let i = 0; i < 50000; i++) garbage.push({ i, s: "x" + i });
            kept += garbage.length;
          }
          console.log(kept, document.body.firstChild.expando, event.target.expando,
                      list.length, list[0].expando, list[0].parentNode);
        });
        "#,
    );
    assert_eq!(run.lines, ["2000000 in the tree the target 1 listed null"]);
}
