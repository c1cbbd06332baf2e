"""Go text/template evaluation: the subset rycus86/podlike stacks use."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.template.gotemplate import (
    GoTemplateError,
    looks_like_go_template,
    render,
)

DATA = {
    "Service": {"Name": "web", "Image": "nginx:1.25", "Ports": [{"Target": 80, "Published": 8080}], "Labels": {}},
    "Args": {"Port": 12000, "Routes": ["v1", "v2"], "Map": {"b": 2, "a": 1}, "Flag": True, "Empty": ""},
    "Project": None,
}


@pytest.mark.parametrize(
    "template, expected",
    [
        ("{{ .Service.Name }}", "web"),
        ("{{.Args.Port}}", "12000"),
        ("{{ .Args.Missing }}", "<no value>"),
        ("{{ .Args.Missing.Deeper }}", "<no value>"),
        ("{{ .Project }}", "<no value>"),
        ('{{ "{{.ServiceName}}" }}', "{{.ServiceName}}"),
        ("{{ `raw {{ }}` }}", "raw {{ }}"),
        ("{{ if .Args.Flag }}yes{{ else }}no{{ end }}", "yes"),
        ("{{ if .Args.Empty }}yes{{ else }}no{{ end }}", "no"),
        ("{{ if .Args.Missing }}a{{ else if .Args.Port }}b{{ else }}c{{ end }}", "b"),
        ("{{ range .Args.Routes }}[{{ . }}]{{ end }}", "[v1][v2]"),
        ("{{ range $i, $r := .Args.Routes }}{{ if $i }},{{ end }}{{ $r }}{{ end }}", "v1,v2"),
        ("{{ range $k, $v := .Args.Map }}{{ $k }}={{ $v }};{{ end }}", "a=1;b=2;"),
        ("{{ range .Args.Missing }}x{{ else }}none{{ end }}", "none"),
        ("{{ range .Args.Routes }}{{ $.Service.Name }}-{{ . }} {{ end }}", "web-v1 web-v2 "),
        ('{{ range .Args.Routes }}{{ if eq . "v2" }}{{ break }}{{ end }}{{ . }}{{ end }}', "v1"),
        ("{{ with .Args.Map }}{{ .a }}{{ end }}", "1"),
        ("{{ with .Args.Missing }}x{{ else }}y{{ end }}", "y"),
        ("{{ $p := .Args.Port }}{{ $p }}{{ $p = 1 }} {{ $p }}", "12000 1"),
        ("a  {{- .Service.Name -}}  b", "awebb"),
        ("{{/* a comment */}}x", "x"),
        ("{{- /* trimmed comment */ -}}\n  x", "x"),
        ("{{ .Args.Routes }} {{ .Args.Map }}", "[v1 v2] map[a:1 b:2]"),
        ("{{ .Args.Flag }}", "true"),
        ('{{ eq .Args.Port 12000 }} {{ ne .Service.Name "web" }}', "true false"),
        ('{{ eq .Service.Name "db" "web" }}', "true"),
        ("{{ lt 1 2 }} {{ ge 2 3 }}", "true false"),
        ('{{ not .Args.Flag }} {{ and .Args.Flag .Args.Port }} {{ or .Args.Empty "dflt" }}', "false 12000 dflt"),
        ('{{ len .Args.Routes }} {{ index .Args.Routes 1 }} {{ index .Args.Map "b" }}', "2 v2 2"),
        ("{{ (index .Service.Ports 0).Published }}", "8080"),
        ('{{ printf "%s:%d" .Service.Name .Args.Port }}', "web:12000"),
        ('{{ .Service.Name | printf "<%s>" }}', "<web>"),
        ('{{ printf "%q" "a\\"b" }}', '"a\\"b"'),
        ('{{ print 1 2 "x" }}', "1 2x"),
        ("{{ yaml .Args.Map }}", "a: 1\nb: 2\n"),
        ("{{ yaml .Args.Routes | indent 2 }}", "  - v1\n  - v2\n  "),
        ('{{ indent 4 "a\\nb" }}', "    a\n    b"),
        ("{{ empty .Args.Missing }} {{ empty .Args.Routes }} {{ notEmpty .Service.Labels }}", "true false false"),
        ('{{ contains "gin" .Service.Image }} {{ .Service.Image | contains "z" }}', "true false"),
        ('{{ startsWith "nginx" .Service.Image }}', "true"),
        ('{{ replace "." "-" -1 "a.b.c" }} {{ replace "." "-" 1 "a.b.c" }}', "a-b-c a-b.c"),
        ('{{ if and (eq .Service.Name "web") (gt .Args.Port 1024) }}high{{ end }}', "high"),
    ],
)
def test_render(template, expected):
    assert render(template, DATA) == expected


@pytest.mark.parametrize(
    "template, message",
    [
        ("{{ .Args.Port", "unclosed action"),
        ("{{ if .Args.Port }}x", "missing {{end}} for {{if}}"),
        ("{{ end }}", "unexpected {{end}}"),
        ("{{ nosuch .Args }}", 'function "nosuch" not defined'),
        ("{{ $undefined }}", 'undefined variable "$undefined"'),
        ('{{ "unterminated }}', "unterminated quoted string"),
        ('{{ template "x" }}', "not supported"),
        ("{{ .Service.Name.Nope }}", "can't evaluate field Nope"),
        ("{{ index .Args.Routes 5 }}", "index out of range"),
    ],
)
def test_errors(template, message):
    with pytest.raises(GoTemplateError, match=message.replace("{", r"\{").replace("}", r"\}").replace("$", r"\$")):
        render(template, DATA)


@pytest.mark.parametrize(
    "text, is_go",
    [
        ("image: {{ .Service.Image }}", True),
        ("image: {{.Service.Image}}", True),
        ("{{ range $i, $p := .Service.Ports }}{{ end }}", True),
        ("{{- if eq .Args.X 1 }}x{{ end }}", True),
        ("{{ $x := 1 }}", True),
        ('{{ printf "%s" .Args.X }}', True),
        ("image: {{ Service.Image }}", False),
        ("{% if Args.X %}x{% endif %}", False),
        ("{# .Args #}{{ Args.X }}", False),
        ('rule: {{ "{{.ServiceName}}" }}', False),
        ('rule: {{ "{{.ServiceName}}" }} port: {{ Args.Port }}', False),
        ("no template here", False),
    ],
)
def test_syntax_detection(text, is_go):
    assert looks_like_go_template(text) is is_go
