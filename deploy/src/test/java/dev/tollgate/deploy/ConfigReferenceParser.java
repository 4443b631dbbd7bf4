package dev.tollgate.deploy;

import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.NodeList;
import com.github.javaparser.ast.body.ClassOrInterfaceDeclaration;
import com.github.javaparser.ast.body.EnumConstantDeclaration;
import com.github.javaparser.ast.body.EnumDeclaration;
import com.github.javaparser.ast.body.FieldDeclaration;
import com.github.javaparser.ast.body.MethodDeclaration;
import com.github.javaparser.ast.body.Parameter;
import com.github.javaparser.ast.body.TypeDeclaration;
import com.github.javaparser.ast.expr.AnnotationExpr;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.MemberValuePair;
import com.github.javaparser.ast.expr.NormalAnnotationExpr;
import com.github.javaparser.ast.expr.SingleMemberAnnotationExpr;
import com.github.javaparser.ast.expr.StringLiteralExpr;
import com.github.javaparser.ast.nodeTypes.NodeWithAnnotations;
import com.github.javaparser.ast.type.ClassOrInterfaceType;
import com.github.javaparser.ast.type.PrimitiveType;
import com.github.javaparser.ast.type.Type;
import com.github.javaparser.javadoc.Javadoc;
import com.github.javaparser.javadoc.description.JavadocDescriptionElement;
import com.github.javaparser.javadoc.description.JavadocInlineTag;
import dev.tollgate.deploy.ConfigReferenceMapping.Property;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads the {@code @ConfigMapping} interfaces of one parsed source file into {@link ConfigReferenceMapping}s, the
 * way SmallRye Config names their properties: kebab-case method names (or {@code @WithName}), nested interfaces
 * as groups under their method's name ({@code @WithParentName}: under the parent's), {@code Map} values under a
 * {@code <name>} segment, {@code Optional} as optional, lists and sets as comma-separated values. A construct it
 * does not know (another naming strategy, an inherited interface, a type it cannot name) throws, so that the
 * reference never silently leaves a property out.
 */
final class ConfigReferenceParser {

    private static final Set<String> SENTENCE_ABBREVIATIONS = Set.of("e.g", "i.e", "etc", "vs", "cf");

    List<ConfigReferenceMapping> mappings(CompilationUnit unit, String module, String sourcePath) {
        List<ConfigReferenceMapping> mappings = new ArrayList<>();
        for (ClassOrInterfaceDeclaration type : unit.findAll(ClassOrInterfaceDeclaration.class)) {
            Optional<AnnotationExpr> annotation = type.getAnnotationByName("ConfigMapping");
            if (annotation.isEmpty()) {
                continue;
            }
            String prefix = member(annotation.get(), "prefix")
                    .orElseThrow(() -> new IllegalStateException(sourcePath + ": @ConfigMapping without a prefix"));
            member(annotation.get(), "namingStrategy").filter(strategy -> !strategy.endsWith("KEBAB_CASE"))
                    .ifPresent(strategy -> {
                        throw new IllegalStateException(sourcePath + ": naming strategy " + strategy
                                + " is not supported");
                    });
            List<Property> properties = new ArrayList<>();
            collect(type, prefix, false, false, type.getNameAsString(), properties, sourcePath);
            mappings.add(new ConfigReferenceMapping(prefix, type.getNameAsString(), module, sourcePath,
                    firstSentence(type.getJavadoc()), List.copyOf(properties)));
        }
        return mappings;
    }

    /** The {@code tollgate.*} properties the file injects one by one with {@code @ConfigProperty}. */
    List<ConfigReferenceSingle> singles(CompilationUnit unit, String module, String sourcePath) {
        List<ConfigReferenceSingle> singles = new ArrayList<>();
        for (AnnotationExpr annotation : unit.findAll(AnnotationExpr.class)) {
            if (!annotation.getName().getIdentifier().equals("ConfigProperty")) {
                continue;
            }
            Optional<String> name = member(annotation, "name").filter(key -> key.startsWith("tollgate."));
            if (name.isEmpty()) {
                continue;
            }
            Node target = annotation.getParentNode().orElseThrow();
            Type type;
            if (target instanceof Parameter parameter) {
                type = parameter.getType();
            } else if (target instanceof FieldDeclaration field) {
                type = field.getElementType();
            } else {
                throw new IllegalStateException(sourcePath + ": @ConfigProperty on "
                        + target.getClass().getSimpleName());
            }
            if (type instanceof ClassOrInterfaceType wrapper && wrapper.getNameAsString().equals("Optional")) {
                type = wrapper.getTypeArguments().orElseThrow().get(0);
            }
            String declaredIn = target.findAncestor(TypeDeclaration.class).map(TypeDeclaration::getNameAsString)
                    .orElse("?");
            singles.add(new ConfigReferenceSingle(name.get(), typeName(type, target, sourcePath + ": " + name.get()),
                    member(annotation, "defaultValue"), declaredIn, module, sourcePath));
        }
        return singles;
    }

    private void collect(ClassOrInterfaceDeclaration group, String prefix, boolean optional, boolean inMap,
            String path, List<Property> out, String sourcePath) {
        if (!group.isInterface() || !group.getExtendedTypes().isEmpty()) {
            throw new IllegalStateException(sourcePath + ": " + path + " must be an interface that extends nothing");
        }
        for (MethodDeclaration method : group.getMethods()) {
            if (method.isDefault() || method.isStatic() || method.getBody().isPresent()
                    || !method.getParameters().isEmpty()) {
                continue;
            }
            String segment = stringValue(method, "WithName", sourcePath).orElse(kebab(method.getNameAsString()));
            String name = method.isAnnotationPresent("WithParentName") ? prefix : prefix + "." + segment;
            member(method, method.getType(), name, optional, inMap, path, out, sourcePath);
        }
    }

    private void member(MethodDeclaration method, Type type, String name, boolean optional, boolean inMap,
            String path, List<Property> out, String sourcePath) {
        String where = path + "." + method.getNameAsString() + "()";
        if (type instanceof ClassOrInterfaceType classType) {
            String simple = classType.getNameAsString();
            List<Type> arguments = classType.getTypeArguments().map(NodeList::stream)
                    .map(stream -> stream.collect(Collectors.toList())).orElse(List.of());
            if (simple.equals("Optional") && arguments.size() == 1) {
                member(method, arguments.get(0), name, true, inMap, path, out, sourcePath);
                return;
            }
            if (simple.matches("Optional(Int|Long|Double)")) {
                String valueType = simple.equals("OptionalDouble") ? "number" : "integer";
                add(method, valueType, name, true, inMap, where, out, sourcePath);
                return;
            }
            if (simple.equals("Map") && arguments.size() == 2) {
                member(method, arguments.get(1), name + ".<name>", optional, true, path, out, sourcePath);
                return;
            }
            Optional<TypeDeclaration<?>> declared = declaration(classType, method);
            if (declared.isPresent() && declared.get() instanceof ClassOrInterfaceDeclaration nested) {
                collect(nested, name, optional, inMap, declaredName(nested), out, sourcePath);
                return;
            }
        }
        add(method, typeName(type, method, sourcePath + ": " + where), name, optional, inMap, where, out, sourcePath);
    }

    private static void add(MethodDeclaration method, String typeName, String name, boolean optional, boolean inMap,
            String where, List<Property> out, String sourcePath) {
        Optional<String> defaultValue = stringValue(method, "WithDefault", sourcePath);
        out.add(new Property(name, typeName, defaultValue, optional, inMap, firstSentence(method.getJavadoc()), where,
                method.getBegin().map(position -> position.line).orElse(0)));
    }

    private String typeName(Type type, Node context, String where) {
        if (type instanceof PrimitiveType primitive) {
            return switch (primitive.getType()) {
                case INT, LONG, SHORT, BYTE -> "integer";
                case DOUBLE, FLOAT -> "number";
                case BOOLEAN -> "boolean";
                case CHAR -> "character";
            };
        }
        if (!(type instanceof ClassOrInterfaceType classType)) {
            throw new IllegalStateException(where + ": unsupported type " + type);
        }
        String simple = classType.getNameAsString();
        List<Type> arguments = classType.getTypeArguments().map(NodeList::stream)
                .map(stream -> stream.collect(Collectors.toList())).orElse(List.of());
        switch (simple) {
            case "String":
                return "string";
            case "Integer", "Long", "Short", "BigInteger":
                return "integer";
            case "Double", "Float", "BigDecimal":
                return "number";
            case "Boolean":
                return "boolean";
            case "Duration":
                return "duration";
            case "Path":
                return "path";
            case "URI", "URL":
                return "URL";
            case "List", "Set", "Collection":
                if (arguments.size() == 1) {
                    String element = typeName(arguments.get(0), context, where);
                    if (element.matches("[a-zA-Z]+")) {
                        return "comma-separated " + element + "s";
                    }
                }
                throw new IllegalStateException(where + ": unsupported collection " + type);
            default:
                break;
        }
        Optional<TypeDeclaration<?>> declared = declaration(classType, context);
        if (declared.isPresent() && declared.get() instanceof EnumDeclaration enumeration) {
            return "one of " + enumeration.getEntries().stream().map(EnumConstantDeclaration::getNameAsString)
                    .map(constant -> "`" + constant.toLowerCase(Locale.ROOT).replace('_', '-') + "`")
                    .collect(Collectors.joining(", "));
        }
        throw new IllegalStateException(where + ": unsupported type " + type);
    }

    /** A nested type's name inside its file: {@code BillingConfig.Rates}. */
    private static String declaredName(TypeDeclaration<?> type) {
        String name = type.getNameAsString();
        for (Node parent = type.getParentNode().orElse(null); parent instanceof TypeDeclaration<?> enclosing; parent = enclosing
                .getParentNode().orElse(null)) {
            name = enclosing.getNameAsString() + "." + name;
        }
        return name;
    }

    /** The type declared in the same file that {@code type} names, looked for from {@code context} outwards. */
    private static Optional<TypeDeclaration<?>> declaration(ClassOrInterfaceType type, Node context) {
        String simple = type.getNameAsString();
        Optional<Node> scope = context.getParentNode();
        while (scope.isPresent()) {
            if (scope.get() instanceof TypeDeclaration<?> enclosing) {
                if (enclosing.getNameAsString().equals(simple)) {
                    return Optional.of(enclosing);
                }
                for (var member : enclosing.getMembers()) {
                    if (member instanceof TypeDeclaration<?> nested && nested.getNameAsString().equals(simple)) {
                        return Optional.of(nested);
                    }
                }
            }
            if (scope.get() instanceof CompilationUnit unit) {
                return unit.getTypes().stream().filter(top -> top.getNameAsString().equals(simple))
                        .<TypeDeclaration<?>> map(top -> top).findFirst();
            }
            scope = scope.get().getParentNode();
        }
        return Optional.empty();
    }

    private static Optional<String> member(AnnotationExpr annotation, String name) {
        if (annotation instanceof NormalAnnotationExpr normal) {
            for (MemberValuePair pair : normal.getPairs()) {
                if (pair.getNameAsString().equals(name)) {
                    Expression value = pair.getValue();
                    return Optional.of(value.isStringLiteralExpr() ? value.asStringLiteralExpr().asString()
                            : value.toString());
                }
            }
            return Optional.empty();
        }
        if (annotation instanceof SingleMemberAnnotationExpr single && name.equals("prefix")) {
            return Optional.of(single.getMemberValue().asStringLiteralExpr().asString());
        }
        return Optional.empty();
    }

    private static Optional<String> stringValue(NodeWithAnnotations<?> node, String annotation, String sourcePath) {
        return node.getAnnotationByName(annotation).map(found -> {
            Expression value = null;
            if (found instanceof SingleMemberAnnotationExpr single) {
                value = single.getMemberValue();
            } else if (found instanceof NormalAnnotationExpr normal) {
                value = normal.getPairs().stream().filter(pair -> pair.getNameAsString().equals("value"))
                        .map(MemberValuePair::getValue).findFirst().orElse(null);
            }
            if (!(value instanceof StringLiteralExpr literal)) {
                throw new IllegalStateException(sourcePath + ": @" + annotation + " needs a string literal: " + found);
            }
            return literal.asString();
        });
    }

    /**
     * A method name as SmallRye Config's default naming strategy spells it: {@code reservationTtl} to
     * {@code reservation-ttl}.
     */
    static String kebab(String methodName) {
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < methodName.length(); i++) {
            char c = methodName.charAt(i);
            if (Character.isUpperCase(c)) {
                boolean afterLower = i > 0 && !Character.isUpperCase(methodName.charAt(i - 1));
                boolean beforeLower = i + 1 < methodName.length() && Character.isLowerCase(methodName.charAt(i + 1))
                        && i > 0 && Character.isUpperCase(methodName.charAt(i - 1));
                if (afterLower || beforeLower) {
                    name.append('-');
                }
                name.append(Character.toLowerCase(c));
            } else {
                name.append(c);
            }
        }
        return name.toString();
    }

    /**
     * The first sentence of a Javadoc comment's description, on one line, inline tags as Markdown: {@code {@code x}}
     * as {@code `x`}, a link as its label or target. Empty without a comment.
     */
    static String firstSentence(Optional<Javadoc> javadoc) {
        if (javadoc.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        String carried = "";
        for (JavadocDescriptionElement element : javadoc.get().getDescription().getElements()) {
            if (element instanceof JavadocInlineTag tag) {
                String content = tag.getContent().trim();
                // JavaParser ends a tag at its first '}': {@code {X}} leaves the closing brace to the next snippet
                long open = content.chars().filter(c -> c == '{').count();
                long closed = content.chars().filter(c -> c == '}').count();
                carried = "}".repeat((int) Math.max(0, open - closed));
                content = content + carried;
                switch (tag.getType()) {
                    case CODE, LITERAL -> text.append('`').append(content).append('`');
                    case LINK, LINKPLAIN -> {
                        int space = content.indexOf(' ');
                        text.append(space > 0 ? content.substring(space + 1).trim()
                                : "`" + content.replace('#', '.').replaceFirst("^\\.", "") + "`");
                    }
                    default -> text.append(content);
                }
            } else {
                String snippet = element.toText();
                text.append(!carried.isEmpty() && snippet.startsWith(carried) ? snippet.substring(carried.length())
                        : snippet);
                carried = "";
            }
        }
        String flat = text.toString().replaceAll("\\s+", " ").trim();
        boolean inCode = false;
        for (int i = 0; i < flat.length(); i++) {
            char c = flat.charAt(i);
            if (c == '`') {
                inCode = !inCode;
            } else if (c == '.' && !inCode && (i + 1 == flat.length() || flat.charAt(i + 1) == ' ')) {
                int wordStart = flat.lastIndexOf(' ', i) + 1;
                if (!SENTENCE_ABBREVIATIONS.contains(flat.substring(wordStart, i).replace("(", ""))) {
                    return flat.substring(0, i + 1);
                }
            }
        }
        return flat;
    }
}
