// The entries of each period page of the timeline, for index.html#<id> links: see periods.html.
window.timelinePeriods = {{ ids | tojson }};
