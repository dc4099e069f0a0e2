// Place each face box over the photo from its data attributes (percentages of the photo).
// Done here rather than in style="" attributes, which the Content-Security-Policy refuses.
document.querySelectorAll(".face-box[data-left]").forEach(function (box) {
  ["left", "top", "width", "height"].forEach(function (side) {
    box.style[side] = box.dataset[side] + "%";
  });
});
