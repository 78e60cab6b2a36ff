// A tiny editor for the origin story: buttons wrap the selected text in a tag. The server
// keeps only simple formatting (shop/catalog/richtext.py), so this is a convenience only.
document.querySelectorAll(".richtext-toolbar").forEach(function (bar) {
  var area = document.getElementById(bar.dataset.for);
  if (!area) return;
  bar.hidden = false;
  bar.addEventListener("click", function (event) {
    var tag = event.target.dataset && event.target.dataset.tag;
    if (!tag) return;
    var start = area.selectionStart, end = area.selectionEnd, text = area.value;
    var inner = text.slice(start, end);
    var wrapped = tag === "li" ? "<ul><li>" + inner + "</li></ul>" : "<" + tag + ">" + inner + "</" + tag + ">";
    area.value = text.slice(0, start) + wrapped + text.slice(end);
    area.focus();
  });
});
